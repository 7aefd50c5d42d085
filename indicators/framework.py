"""The national indicator framework (DOMAIN.md §5) as data, and name resolution against it.

The two generations are loaded into `FrameworkCategory` by a data migration from FRAMEWORK
below, so administrators can extend synonyms; this module is the single source for both.
"""

import re

# (一级, synonyms, [(二级, synonyms), ...]) per generation, in print order.
FRAMEWORK: dict[str, list[tuple[str, str, list[tuple[str, str]]]]] = {
    "2015": [
        (
            "产出指标",
            "",
            [
                ("数量指标", ""),
                ("质量指标", ""),
                ("时效指标", ""),
                ("成本指标", ""),
            ],
        ),
        (
            "效益指标",
            "效果指标",
            [
                ("经济效益指标", ""),
                ("社会效益指标", ""),
                ("生态效益指标", ""),
                ("可持续影响指标", ""),
            ],
        ),
        (
            "满意度指标",
            "",
            [
                (
                    "服务对象满意度指标",
                    "社会公众或服务对象满意度指标、社会公益或服务对象满意度指标",
                ),
            ],
        ),
    ],
    "2021": [
        ("产出指标", "", [("数量指标", ""), ("质量指标", ""), ("时效指标", "")]),
        (
            "成本指标",
            "",
            [
                ("经济成本指标", ""),
                ("社会成本指标", ""),
                ("生态环境成本指标", ""),
            ],
        ),
        (
            "效益指标",
            "效果指标",
            [
                ("经济效益指标", ""),
                ("社会效益指标", ""),
                ("生态效益指标", ""),
                ("可持续影响指标", ""),
            ],
        ),
        (
            "满意度指标",
            "",
            [
                (
                    "服务对象满意度指标",
                    "社会公众或服务对象满意度指标、社会公益或服务对象满意度指标",
                ),
            ],
        ),
    ],
}


def sync_framework(category_model) -> None:
    """Create or update the FrameworkCategory rows from FRAMEWORK. Takes the model so the
    data migration can pass its historical one; load_demo runs it too, because a
    transactional test's flush empties the table the migration filled."""
    for generation, firsts in FRAMEWORK.items():
        for position, (name, synonyms, seconds) in enumerate(firsts, start=1):
            first, _ = category_model.objects.update_or_create(
                generation=generation,
                level=1,
                name=name,
                defaults={"synonyms": synonyms, "position": position, "parent": None},
            )
            for sub_position, (sub_name, sub_synonyms) in enumerate(seconds, start=1):
                category_model.objects.update_or_create(
                    generation=generation,
                    level=2,
                    name=sub_name,
                    defaults={
                        "synonyms": sub_synonyms,
                        "position": position * 10 + sub_position,
                        "parent": first,
                    },
                )


_SPACE_RE = re.compile(r"[\s\u3000]+")


def normalise_category_name(name: str) -> str:
    """社会效益\\n指标 → 社会效益指标; 社会效益 → 社会效益指标 (the suffix is often dropped)."""
    cleaned = _SPACE_RE.sub("", name or "")
    if cleaned and not cleaned.endswith("指标"):
        cleaned += "指标"
    return cleaned
