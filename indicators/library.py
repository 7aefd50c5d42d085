"""The indicator library (指标库): 三级 indicators used before, to pick from in the editor.

Built from every PerformanceIndicator in the database by :func:`library_rebuild` (the demo
loader calls it; run it again after importing tables). One entry per indicator name, 二级
category and fund type, with the values typed for it before, the most common description
and basis, and how often it was used.

What goes in
- Approved tables' rows go into the shared library every bureau searches; rows of tables
  not approved (drafts, tables under review) only into their organisation's own entries,
  so no bureau reads another's unpublished wording.
- 三级 rows with a name. Sub-items (level 4, e.g. 农村特困人员 under 资助参保人次数) are parts of
  one indicator, not indicators to reuse on their own. Seed 002's summary tables have no
  三级 names (the value sits in the 二级 column), so those cells give no entry: a nameless
  entry could not be searched or picked.
- Names lose the numbering some tables type in front (``指标1：签约率`` → ``签约率``).
- The 二级 category is the framework category of the row's 二级 parent, so an entry lands
  where the framework says even when the table misplaced it (seed 001's 时效指标 under
  效益指标 is filed under 产出指标 › 时效指标).

Fund type (资金类型) is derived from the table's project name (and 支出方向) by the keyword
rules in FUND_TYPE_RULES, first match wins; the order matters because names mix words
(城乡居民基本医疗保险代办员补助 is administration money, not insurance subsidy):

==============  ==========================================================================
资金类型          keywords
==============  ==========================================================================
家庭医生签约      家庭医生, 签约服务
计划生育          计生, 计划生育, 独生子女, 特扶, 奖励扶助
医保经办与监管    代办, 经办, 工作经费, 基金监管, 慢性病鉴定
医疗救助          医疗救助, 医疗保障救助, 救助, 尘肺病
城乡居民医保      城乡居民, 居民医保, 居民基本医疗保险, 参保, 医疗保险
公共卫生          公共卫生, 健康教育, 四害, 爱国卫生, 精神障碍, 精神病, 疾病预防, 健康档案, 疫
其他              anything else
==============  ==========================================================================
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from indicators.framework import normalise_category_name
from indicators.models import FrameworkCategory, LibraryIndicator, PerformanceIndicator
from perfgoals.models import TargetTable

__all__ = [
    "FUND_TYPE_OTHER",
    "FUND_TYPE_RULES",
    "LibraryEntry",
    "clean_indicator_name",
    "fund_type_for",
    "library_categories",
    "library_entries_for",
    "library_fund_types",
    "library_rebuild",
    "library_search",
]

FUND_TYPE_OTHER = "其他"
FUND_TYPE_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("家庭医生签约", ("家庭医生", "签约服务")),
    ("计划生育", ("计生", "计划生育", "独生子女", "特扶", "奖励扶助")),
    ("医保经办与监管", ("代办", "经办", "工作经费", "基金监管", "慢性病鉴定")),
    ("医疗救助", ("医疗救助", "医疗保障救助", "救助", "尘肺病")),
    ("城乡居民医保", ("城乡居民", "居民医保", "居民基本医疗保险", "参保", "医疗保险")),
    (
        "公共卫生",
        (
            "公共卫生",
            "健康教育",
            "四害",
            "爱国卫生",
            "精神障碍",
            "精神病",
            "疾病预防",
            "健康档案",
            "疫",
        ),
    ),
]
MAX_VALUES = 20

_NUMBERING_RE = re.compile(
    r"^\s*(?:指标\s*[0-9０-９一二三四五六七八九十]+|[0-9０-９]+[.、．])\s*[：:、.．]?\s*"
)
_SPACE_RE = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True)
class LibraryEntry:
    pk: int
    name: str
    category_name: str
    first_level_name: str
    fund_type: str
    values: list[str]
    description: str
    basis: str
    use_count: int


def fund_type_for(project_name: str, spending_direction: str = "") -> str:
    """The fund type of a table, from its project name and 支出方向 (first rule that matches)."""
    text = f"{project_name} {spending_direction}"
    for fund_type, keywords in FUND_TYPE_RULES:
        if any(word in text for word in keywords):
            return fund_type
    return FUND_TYPE_OTHER


def clean_indicator_name(name: str) -> str:
    """指标1：签约率 → 签约率; inner spaces and line breaks from Excel cells dropped."""
    return _SPACE_RE.sub("", _NUMBERING_RE.sub("", name or ""))


def _entry(row: LibraryIndicator) -> LibraryEntry:
    return LibraryEntry(
        pk=row.pk,
        name=row.name,
        category_name=row.category_name,
        first_level_name=row.first_level_name,
        fund_type=row.fund_type,
        values=list(row.values or []),
        description=row.description,
        basis=row.basis,
        use_count=row.use_count,
    )


def library_entries_for(organisation_id: int | None):
    """The entries an organisation may see: the shared ones and its own."""
    return LibraryIndicator.objects.filter(
        Q(organisation__isnull=True) | Q(organisation_id=organisation_id)
    )


def library_search(
    *,
    organisation_id: int | None,
    query: str = "",
    category_id: int | None = None,
    fund_type: str = "",
    limit: int = 20,
) -> list[LibraryEntry]:
    """Entries `organisation_id` may see matching all given filters, most used first. One
    query.

    `query` matches the name or the description, each whitespace-separated word on its own
    (签约 满意 finds 签约对象满意度).
    """
    rows = library_entries_for(organisation_id)
    for word in (query or "").split():
        rows = rows.filter(Q(name__icontains=word) | Q(description__icontains=word))
    if category_id is not None:
        rows = rows.filter(category_id=category_id)
    if fund_type:
        rows = rows.filter(fund_type=fund_type)
    limit = max(0, min(int(limit), 200))
    return [_entry(row) for row in rows.order_by("-use_count", "name", "id")[:limit]]


def library_categories(*, organisation_id: int | None) -> list[tuple[FrameworkCategory, int]]:
    """二级 categories that have entries the organisation may see, in framework order, with
    entry counts."""
    visible = Q(library_entries__organisation__isnull=True) | Q(
        library_entries__organisation_id=organisation_id
    )
    categories = (
        FrameworkCategory.objects.filter(level=2)
        .select_related("parent")
        .annotate(entry_count=Count("library_entries", filter=visible))
        .filter(entry_count__gt=0)
        .order_by("generation", "parent__position", "position")
    )
    return [(category, category.entry_count) for category in categories]


def library_fund_types(*, organisation_id: int | None) -> list[str]:
    """Fund types of the entries the organisation may see, in the order of FUND_TYPE_RULES,
    其他 last."""
    present = set(
        library_entries_for(organisation_id).values_list("fund_type", flat=True).distinct()
    )
    order = [name for name, _ in FUND_TYPE_RULES] + [FUND_TYPE_OTHER]
    known = [name for name in order if name in present]
    return known + sorted(present - set(order) - {""})


def _most_common(texts: list[str]) -> str:
    counted = Counter(t for t in texts if t)
    return counted.most_common(1)[0][0] if counted else ""


@transaction.atomic
def library_rebuild() -> int:
    """(Re)build the library from every named 三级 indicator; returns the number of entries.

    Idempotent: entries are matched by (organisation, name, 二级, fund type), updated in
    place (so their ids stay stable for the editor), created when new and deleted when no
    table uses them. An approved table's rows are shared (organisation None); any other
    table's rows stay its organisation's.
    """
    rows = (
        PerformanceIndicator.objects.filter(level=PerformanceIndicator.Level.THIRD)
        .exclude(name="")
        .select_related("table", "parent__category__parent", "parent__parent")
        .order_by("table_id", "id")
    )
    groups: dict[tuple[str, str, str], dict] = {}
    for row in rows:
        name = clean_indicator_name(row.name)
        if not name:
            continue
        second = row.parent
        category = second.category if second is not None else None
        if category is not None and category.level != 2:
            category = None
        if category is not None:
            category_name = category.name
            first_name = category.parent.name if category.parent_id else ""
        else:
            category_name = normalise_category_name(second.name) if second else ""
            first = second.parent if second is not None else None
            first_name = normalise_category_name(first.name) if first else ""
        fund_type = fund_type_for(row.table.project_name, row.table.spending_direction)
        owner = (
            None if row.table.status == TargetTable.Status.APPROVED else row.table.organisation_id
        )
        key = (owner, name[:300], category_name[:50], fund_type)
        group = groups.setdefault(
            key,
            {
                "category": category,
                "first": first_name[:50],
                "values": Counter(),
                "descriptions": [],
                "bases": [],
                "uses": 0,
            },
        )
        group["uses"] += 1
        value = row.value_text.strip()
        if value:
            group["values"][value] += 1
        group["descriptions"].append(row.description.strip())
        group["bases"].append(row.basis.strip())

    existing = {
        (entry.organisation_id, entry.name, entry.category_name, entry.fund_type): entry
        for entry in LibraryIndicator.objects.all()
    }
    to_create, to_update = [], []
    for key, group in groups.items():
        owner, name, category_name, fund_type = key
        # Counter keeps insertion order among equal counts: first typed comes first.
        values = [v for v, _ in group["values"].most_common(MAX_VALUES)]
        fields = {
            "category": group["category"],
            "first_level_name": group["first"],
            "description": _most_common(group["descriptions"]),
            "basis": _most_common(group["bases"])[:300],
            "values": values,
            "use_count": group["uses"],
        }
        entry = existing.pop(key, None)
        if entry is None:
            to_create.append(
                LibraryIndicator(
                    organisation_id=owner,
                    name=name,
                    category_name=category_name,
                    fund_type=fund_type,
                    **fields,
                )
            )
            continue
        changed = False
        for attr, value in fields.items():
            current = entry.category_id if attr == "category" else getattr(entry, attr)
            wanted = value.pk if attr == "category" and value is not None else value
            if current != wanted:
                setattr(entry, attr, value)
                changed = True
        if changed:
            to_update.append(entry)
    if existing:
        LibraryIndicator.objects.filter(pk__in=[e.pk for e in existing.values()]).delete()
    LibraryIndicator.objects.bulk_create(to_create, batch_size=500)
    LibraryIndicator.objects.bulk_update(
        to_update,
        ["category", "first_level_name", "description", "basis", "values", "use_count"],
        batch_size=500,
    )
    return len(groups)
