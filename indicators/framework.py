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

_SPACE_RE = re.compile(r"[\s\u3000]+")


def normalise_category_name(name: str) -> str:
    """社会效益\\n指标 → 社会效益指标; 社会效益 → 社会效益指标 (the suffix is often dropped)."""
    cleaned = _SPACE_RE.sub("", name or "")
    if cleaned and not cleaned.endswith("指标"):
        cleaned += "指标"
    return cleaned
