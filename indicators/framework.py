"""The national indicator framework (DOMAIN.md §5) as data, and name resolution against it.

The two generations are loaded into `FrameworkCategory` by a data migration from FRAMEWORK
below, so administrators can extend synonyms; this module is the single source for both.
"""

import functools
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
# Template fill notes and remarks: 数量指标(必填硬性指标), 时效指标(工期指标、形象进度指标),
# 预算(或投资规模)控制指标, 【必填】.
_BRACKETED_RE = re.compile(r"[（(【\[][^（）()【】\[\]]*[）)】\]]")
_FILL_NOTES = ("必填", "选填", "可选", "非必填", "硬性")
_NUMBERING_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[0-9]+[、.．)）]|[（(][一二三四五六七八九十0-9]+[）)])"
)
_SUFFIX = "指标"


@functools.lru_cache(maxsize=4096)  # a handful of distinct category names per table
def normalise_category_name(name: str) -> str:
    """The spelling a 一级/二级 name is matched by: 社会效益\\n指标 → 社会效益指标; 社会效益 →
    社会效益指标 (the suffix is often dropped); 数量指标(必填硬性指标) → 数量指标;
    一、产出指标 → 产出指标."""
    cleaned = _SPACE_RE.sub("", name or "")
    cleaned = _NUMBERING_RE.sub("", cleaned)
    cleaned = _BRACKETED_RE.sub("", cleaned)
    for note in _FILL_NOTES:
        cleaned = cleaned.replace(note, "")
    cleaned = cleaned.strip("：:、，,。.")
    if cleaned and not cleaned.endswith(_SUFFIX):
        cleaned += _SUFFIX
    return cleaned


# Regional and older spellings of the framework's categories, by the words they contain, in
# the order they are tried (DOMAIN.md §5; the published templates of the provinces): 四川's
# 项目完成指标/项目效益指标, 广东's 预期产出指标, 2015's 效益 → 社会公众或服务对象满意度指标.
# Each entry: (words, canonical name per generation). The first entry whose word occurs wins.
FIRST_LEVEL_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("满意",), "满意度指标"),
    (("成本",), "成本指标"),
    (("产出", "完成"), "产出指标"),
    (("效益", "效果", "影响", "成效"), "效益指标"),
)
SECOND_LEVEL_WORDS: tuple[tuple[tuple[str, ...], dict[str, str]], ...] = (
    (("满意",), {"2015": "服务对象满意度指标", "2021": "服务对象满意度指标"}),
    (("经济成本",), {"2015": "成本指标", "2021": "经济成本指标"}),
    (("社会成本",), {"2015": "成本指标", "2021": "社会成本指标"}),
    (("生态环境成本", "生态成本", "环境成本"), {"2015": "成本指标", "2021": "生态环境成本指标"}),
    (
        ("成本", "预算控制", "投资控制", "预算指标", "投资规模"),
        {"2015": "成本指标", "2021": "经济成本指标"},
    ),
    (("数量",), {"2015": "数量指标", "2021": "数量指标"}),
    (("质量",), {"2015": "质量指标", "2021": "质量指标"}),
    (("时效", "进度", "工期", "时限", "时间"), {"2015": "时效指标", "2021": "时效指标"}),
    (("可持续",), {"2015": "可持续影响指标", "2021": "可持续影响指标"}),
    (("经济效益",), {"2015": "经济效益指标", "2021": "经济效益指标"}),
    (("生态效益", "环境效益"), {"2015": "生态效益指标", "2021": "生态效益指标"}),
    # 社会效益, and combined labels such as 社会、经济、生态效益指标.
    (("效益", "效果", "影响"), {"2015": "社会效益指标", "2021": "社会效益指标"}),
)


@functools.lru_cache(maxsize=4096)
def regional_category_name(generation: str, level: int, name: str) -> str:
    """The framework name a regional spelling stands for, by its words; "" when none fits."""
    cleaned = normalise_category_name(name)
    if level == 1:
        return next((canon for words, canon in FIRST_LEVEL_WORDS if _any_in(words, cleaned)), "")
    if level == 2:
        return next(
            (canon[generation] for words, canon in SECOND_LEVEL_WORDS if _any_in(words, cleaned)),
            "",
        )
    return ""


@functools.lru_cache(maxsize=4096)
def is_cost_name(name: str) -> bool:
    """成本指标, 经济成本指标, 预算(或投资规模)控制指标 …: a cost category in any generation."""
    cleaned = normalise_category_name(name)
    return any(_any_in(words, cleaned) for words, canon in SECOND_LEVEL_WORDS[1:5])


def _any_in(words: tuple[str, ...], text: str) -> bool:
    return any(word in text for word in words)
