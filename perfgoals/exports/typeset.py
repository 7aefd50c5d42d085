"""Where printed lines may break: figures with their units and the words of labels stay whole,
and a title too long for one line is cut into two balanced lines at a phrase boundary.

WeasyPrint breaks CJK text between any two characters and ignores `word-break: keep-all`, so
the PDF marks what must not break with nowrap spans; the XLSX is laid out by Excel itself.
"""

import re

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

# A figure with what belongs to it: 2021年, 26.18万人, ≥95%, 200元/月/人 (split at the
# slashes only), 4:6; a break inside one reads as two figures (「2021 / 年8月」).
FIGURE = re.compile(
    r"[≥≤≧≦>＜<＞]?\d+(?:[.:：]\d+)*(?:%|％|‰|万元|万人|[年月日号元人户次个项家所岁])?"
)
# Words of the official forms' labels and titles that a break would cut in two
# (「州级主管部 / 门」, 「社会效益指 / 标」, 「绩效目 / 标表」).
WORDS = (
    "（万元）",
    "（元）",
    "目标表",
    "绩效",
    "分配表",
    "申报表",
    "汇总表",
    "指标值",
    "满意度",
    "指标",
    "部门",
    "单位",
    "资金",
    "目标",
    "名称",
    "金额",
    "标准",
    "电话",
    "医生",
    "服务",
    "补助",
    "预算",
    "经费",
    "项目",
    "合计",
    "数据",
    "人数",
    "专项",
    "方向",
)
UNBREAKABLE = re.compile("|".join([FIGURE.pattern, *map(re.escape, WORDS)]))

# Phrase boundaries of notice and table titles: a line may end before these words ...
BREAK_BEFORE = (
    "关于",
    "下达",
    "中央",
    "省级",
    "州级",
    "市级",
    "县级",
    "区级",
    "城乡",
    "医疗救助",
    "建档立卡",
    "家庭医生",
    "个人",
    "补助资金",
    "绩效目标",
    "预算",
    "分配表",
    "（",
    "的通知",
)
# ... or after these.
BREAK_AFTER = ("）", "、", "，")


def nobreak(text: str) -> SafeString:
    """`text` escaped, each figure and label word in a span the line breaker keeps whole."""
    out, last = [], 0
    for match in UNBREAKABLE.finditer(text):
        out.append(conditional_escape(text[last : match.start()]))
        out.append(f'<span class="nb">{conditional_escape(match.group())}</span>')
        last = match.end()
    out.append(conditional_escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def text_width(text: str) -> float:
    """Width in ems: a CJK character or full-width sign is one, a Latin letter or digit ~0.55."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text)


def _boundaries(text: str) -> list[int]:
    found = set()
    for word in BREAK_BEFORE:
        found.update(m.start() for m in re.finditer(re.escape(word), text))
    for word in BREAK_AFTER:
        found.update(m.end() for m in re.finditer(re.escape(word), text))
    # After a year: 「2020年 / 中央财政…」.
    found.update(m.end() for m in re.finditer(r"\d{4}年", text))
    figures = [m.span() for m in FIGURE.finditer(text)]
    return sorted(i for i in found if 0 < i < len(text) and not any(a < i < b for a, b in figures))


def title_lines(text: str, capacity: float) -> list[str]:
    """A title as the lines it prints on: one when it fits `capacity` ems; otherwise two of
    about equal width cut at a phrase boundary (seed 000: 「…签约服务 / 个人代缴…」), the
    first line not shorter than the second by much; the text itself when no boundary fits."""
    if text_width(text) <= capacity:
        return [text]
    best: tuple[float, int] | None = None
    for index in _boundaries(text):
        first, second = text_width(text[:index]), text_width(text[index:])
        if first > capacity or second > capacity:
            continue
        score = abs(first - second) + (2 if second > first else 0)
        if best is None or score < best[0]:
            best = (score, index)
    if best is None:
        return [text]
    return [text[: best[1]], text[best[1] :]]
