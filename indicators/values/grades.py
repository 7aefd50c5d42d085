"""Measurable grades: the qualitative values one can check at year end."""

from __future__ import annotations

import re

# --- measurable grades -------------------------------------------------------------------

# Qualitative values one can check at year end with a yes or a no: an answer (是/否, 有/无),
# a pass (达标, 合格, 通过验收), a completed deed (按时完成, 全部到位), coverage (全覆盖,
# 应保尽保), the absence of incidents (无事故, 零投诉) and the top grades of the official
# scales (好/较好/一般/较差/差 of the 2020 self-evaluation rules, 优/良/中/差 of reviews).
# A direction without a measure (明显提高, 有效缓解, 逐步提升, 长期) is not one of them.
_MEASURABLE_WORDS = frozenset(
    {
        "是",
        "否",
        "有",
        "无",
        "好",
        "较好",
        "良好",
        "优",
        "良",
        "优良",
        "优秀",
        "正常",
        "正常运行",
        "正常使用",
        "运行正常",
        "全覆盖",
        "全面覆盖",
        "应保尽保",
        "应补尽补",
        "应纳尽纳",
        "应助尽助",
        "应享尽享",
        "及时",
        "按时",
        "按期",
        "如期",
        "准时",
    }
)
_NORM_QUALIFIERS = "相关|国家|行业|省级?|设计|合同|规划|规定的?|有关"
_NORMS = "要求|标准|规定|规范|条件"
_MEASURABLE_RES = (
    # 合格, 验收合格, 全部达标, 通过验收 …
    re.compile(r"(?:全部|均|质量|验收|检验|检测|考核|评估|审计)?(?:合格|达标|通过)"),
    re.compile(r"通过(?:验收|考核|评估|审计|检查|评审)"),
    # 符合要求, 达到国家标准, 满足设计规范 …
    re.compile(
        rf"符合(?:{_NORM_QUALIFIERS})?(?:{_NORMS})?|(?:达到|满足)(?:{_NORM_QUALIFIERS})?(?:{_NORMS})"
    ),
    # 完成, 按时完成, 全部拨付到位, 足额发放 …
    re.compile(
        r"(?:已|全部|全面|全额|足额|按时|按期|如期|及时|按计划|按要求|按合同)?"
        r"(?:完成|到位|兑现|拨付|发放|下达|办结|结算|建成|竣工|完工|验收|覆盖|落实)"
        r"(?:到位|完成|完毕)?"
    ),
    # 无事故, 零事故, 未发生重大安全事故, 无投诉 …
    re.compile(
        r"(?:无|零|未发生|不发生|杜绝)(?:重大|较大|一般)?"
        r"(?:安全|质量|责任|生产|医疗|交通|食品安全|火灾|环境|森林火灾)?"
        r"(?:事故|投诉|违规|违纪|违法|纠纷|差错|问题|案件|事件|隐患|上访)"
    ),
)


# A sentence whose promise is a pass against a stated norm (鼠密度达到国家规定的控制指标,
# 顺利通过国家卫生城市复查) is checked with a yes or a no, however long.
# A stated frequency is checked against the calendar: 按月安排, 每季度开展一次.
_SCHEDULE_RE = re.compile(
    r"(?:按|每)(?:日|天|周|旬|月|季度|季|半年|年)(?:度)?"
    r"(?:安排|开展|完成|报送|发放|拨付|召开|检查|通报|更新|结算|支付)?(?:一次|1次)?"
)
_MEASURABLE_CLAUSE_RE = re.compile(
    rf"(?:达到|符合|满足|不超过|不低于)(?:{_NORM_QUALIFIERS})+的?(?:控制指标|{_NORMS})"
    r"|通过[^，。；,;]{0,12}(?:验收|考核|检查|抽查|复查|复审|评审|暗访)"
)


def _is_measurable(s: str) -> bool:
    return (
        s in _MEASURABLE_WORDS
        or any(p.fullmatch(s) for p in _MEASURABLE_RES)
        or _SCHEDULE_RE.fullmatch(s) is not None
        or _MEASURABLE_CLAUSE_RE.search(s) is not None
    )
