"""The vocabulary of headers: which field a column title or a form label names.

Headers are compared after NFKC, whitespace, "*", bracketed notes ("（A）", "(万元)", "（2021年）") and
trailing colons are removed (:func:`header_key`), against the aliases of :data:`HEADER_ALIASES`;
a few headers are told apart only by their bracketed note (:data:`QUALIFIED_HEADER_ALIASES`).
The field codes are also what the rest of the app calls the template's columns (:data:`FIELD_TITLES`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: field code → the template's column title (the canonical header)
FIELD_TITLES: dict[str, str] = {
    "year": "年度",
    "department": "主管部门",
    "unit": "实施单位",
    "project": "项目名称",
    "seq": "序号",
    "label": "绩效指标",
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "nature": "指标性质",
    "target": "指标值",
    "measure": "度量单位",
    "weight": "分值",
    "actual": "实际完成值",
    "deviation": "偏差原因分析及改进措施",
    "score": "得分",
    "band": "评定档次",
    "band_score": "档次内得分",
    "direction_override": "指标方向（人工确认）",
    "not_applicable": "不适用",
    # 财预〔2021〕101号, per indicator (optional columns, after the older ones)
    "explanation": "指标解释",
    "scoring_standard": "评(扣)分标准",
    "data_source": "数据来源/佐证",
    "basis": "取值依据",
    # project level
    "fund_user": "资金使用单位",
    "summary_name": "汇总表项目名称",
    "project_type": "项目类型",
    "contact_phone": "联系电话",
    "long_term_goal": "长期目标",
    "goal_text": "年度总体目标",
    "goal_result_text": "目标实际完成情况",
    "start_date": "项目立项时间",
    "end_date": "项目结束时间",
    "legal_basis": "立项依据及概况",
    "government_procurement": "是否包含政府采购",
    "procurement_amount": "政府采购金额（万元）",
    "total_budget": "项目总预算（万元）",
    "budget": "预算资金（万元）",
    "current_year_initial": "当年财政拨款-年初预算数",
    "current_year_annual": "当年财政拨款-全年预算数",
    "current_year_executed": "当年财政拨款-全年执行数",
    "carryover_initial": "上年结转资金-年初预算数",
    "carryover_annual": "上年结转资金-全年预算数",
    "carryover_executed": "上年结转资金-全年执行数",
    "other_initial": "其他资金-年初预算数",
    "other_annual": "其他资金-全年预算数",
    "other_executed": "其他资金-全年执行数",
    "level1_weights": "一级指标分值",
    "low_score_explanation": "80 分以下原因分析及拟采取措施",
    "printed_execution_rate": "预算执行率（表中）",
    "printed_execution_score": "预算执行得分（表中）",
    "printed_total": "自评得分（表中）",
    "printed_grade": "自评等级（表中）",
}

#: fields that belong to the project, not to one indicator
PROJECT_LEVEL = frozenset(
    {
        "fund_user",
        "summary_name",
        "project_type",
        "contact_phone",
        "long_term_goal",
        "goal_text",
        "goal_result_text",
        "start_date",
        "end_date",
        "legal_basis",
        "government_procurement",
        "procurement_amount",
        "total_budget",
        "budget",
        "current_year_initial",
        "current_year_annual",
        "current_year_executed",
        "carryover_initial",
        "carryover_annual",
        "carryover_executed",
        "other_initial",
        "other_annual",
        "other_executed",
        "level1_weights",
        "low_score_explanation",
        "printed_execution_rate",
        "printed_execution_score",
        "printed_total",
        "printed_grade",
    }
)
#: fields that identify the project a row belongs to
IDENTITY = ("year", "department", "unit", "project")
#: fields of one indicator row
INDICATOR_LEVEL = (
    "level1",
    "level2",
    "name",
    "nature",
    "target",
    "measure",
    "weight",
    "actual",
    "deviation",
    "score",
    "band",
    "band_score",
    "direction_override",
    "not_applicable",
    "explanation",
    "scoring_standard",
    "data_source",
    "basis",
)
#: the 101号 text columns (read as text, blank allowed; a table without the column changes nothing)
STANDARD_101_TEXT = ("explanation", "scoring_standard", "data_source")
#: decimal-valued fields
DECIMAL_FIELDS = frozenset(
    {
        "weight",
        "score",
        "band_score",
        "procurement_amount",
        "total_budget",
        "budget",
        "current_year_initial",
        "current_year_annual",
        "current_year_executed",
        "carryover_initial",
        "carryover_annual",
        "carryover_executed",
        "other_initial",
        "other_annual",
        "other_executed",
        "printed_execution_rate",
        "printed_execution_score",
        "printed_total",
    }
)
MONEY_FIELDS = DECIMAL_FIELDS - {
    "weight",
    "score",
    "band_score",
    "printed_execution_rate",
    "printed_execution_score",
    "printed_total",
}
#: (digits before the point, digits after it) of the column each decimal field is stored in
#: (``max_digits - decimal_places``, ``decimal_places``; ``tests/intake/test_column_limits.py`` holds
#: them to the models): a larger number would overflow the column when the import is confirmed
DECIMAL_COLUMNS: dict[str, tuple[int, int]] = {code: (10, 4) for code in MONEY_FIELDS} | {
    "weight": (4, 2),
    "score": (4, 2),
    "band_score": (4, 2),
    "printed_execution_score": (4, 2),
    "printed_total": (4, 2),
    "printed_execution_rate": (6, 6),
}

DATE_FIELDS = frozenset({"start_date", "end_date"})
#: text fields and their database lengths (longer text is an error, not a truncation)
MAX_LENGTHS = {
    "project": 200,
    "unit": 100,
    "department": 100,
    "name": 300,
    "level1": 50,
    "level2": 50,
    "nature": 10,
    "measure": 30,
    "band": 30,
    "fund_user": 100,
    "summary_name": 200,
    "project_type": 100,
    "contact_phone": 50,
    "printed_grade": 2,
    # as perfgoals.models.STANDARD_101_LENGTHS (tests/intake/test_column_limits.py holds them to the model)
    "explanation": 500,
    "scoring_standard": 500,
    "data_source": 300,
}

_ALIASES: dict[str, tuple[str, ...]] = {
    "year": ("年度", "预算年度", "年份", "项目年度"),
    "department": ("主管部门", "预算部门", "主管单位"),
    "unit": ("实施单位", "项目实施单位", "单位名称", "实施单位名称"),
    # 资金使用单位 alone (no 实施单位 column or label) still names the implementing unit: see match_header
    "fund_user": ("资金使用单位", "资金使用单位名称"),
    # the name the department's 汇总表 and report print, where it differs from the form's (Project.summary_name)
    "summary_name": ("汇总表项目名称", "汇总项目名称", "汇总表名称"),
    "project": ("项目名称", "项目专项名称", "专项资金名称", "专项名称", "项目"),
    "seq": ("序号", "编号"),
    "label": ("绩效指标", "年度绩效指标", "绩效目标"),
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标", "三级指标名称", "指标名称", "绩效指标名称"),
    "nature": ("指标性质", "绩效指标性质", "性质", "指标方向"),
    "target": (
        "指标值",
        "年度指标值",
        "目标值",
        "本年绩效指标值",
        "绩效指标值",
        "年度目标值",
        "预期指标值",
        "计划值",
        "年度绩效指标值",
        "本年指标值",
        "指标值a",
        "年度指标值a",
    ),
    "measure": ("度量单位", "绩效度量单位", "计量单位", "单位"),
    "weight": ("分值", "权重", "指标分值", "权重分值", "分数"),
    "actual": (
        "实际完成值",
        "实际完成指标值",
        "实际值",
        "完成值",
        "全年实际完成值",
        "实际完成值b",
        "全年实际值",
    ),
    "deviation": (
        "偏差原因分析及改进措施",
        "偏差原因分析",
        "偏差原因",
        "偏差原因及改进措施",
        "未完成原因分析及改进措施",
        "偏差原因分析及改进措施说明",
    ),
    "score": ("得分", "指标得分"),
    "band": ("评定档次", "定性评定档次", "档次", "完成档次"),
    "band_score": ("档次内得分", "档次得分", "档内得分", "档次内评分", "定性评定得分", "档次评分"),
    # "指标方向" alone is a 指标性质 header (see match_header for a table that has both)
    "direction_override": (
        "指标方向人工确认",
        "人工确认方向",
        "人工确认指标方向",
        "人工指定方向",
        "指定方向",
        "方向人工确认",
        "指标方向人工指定",
        "指标方向确认",
        "人工方向",
    ),
    "not_applicable": ("不适用", "是否不适用", "不适用指标", "本年度不适用", "不适用不计分"),
    "explanation": ("指标解释", "指标说明", "指标含义", "指标释义", "指标内涵", "指标解释说明"),
    "scoring_standard": (
        "评(扣)分标准",
        "评分标准",
        "扣分标准",
        "评扣分标准",
        "计分标准",
        "评分办法",
        "评分规则",
    ),
    "data_source": (
        "数据来源/佐证",
        "数据来源",
        "数据来源及佐证",
        "数据来源及佐证材料",
        "佐证材料",
        "佐证资料",
        "数据来源佐证材料",
    ),
    "basis": (
        "取值依据",
        "指标值取值依据",
        "指标取值依据",
        "目标值取值依据",
        "指标值设定依据",
        "目标值设定依据",
    ),
    "project_type": ("项目类型",),
    "contact_phone": ("联系电话", "电话"),
    "long_term_goal": ("长期目标", "实施期总体绩效目标", "实施期总体目标", "实施期绩效目标", "长期绩效目标"),
    "goal_text": ("年度总体目标", "年度目标", "年度绩效目标", "年初预期目标", "年度总体绩效目标"),
    "goal_result_text": ("目标实际完成情况", "年度总体目标完成情况", "总体目标完成情况"),
    "start_date": ("项目立项时间", "立项时间", "项目开始时间", "开始时间"),
    "end_date": ("项目结束时间", "结束时间"),
    "legal_basis": ("项目立项依据及概况", "立项依据及概况", "立项依据"),
    "government_procurement": ("是否包含政府采购", "是否政府采购"),
    "procurement_amount": ("政府采购金额",),
    "total_budget": ("项目总预算",),
    "budget": ("预算资金", "预算金额", "项目当年预算", "财政拨款年度金额", "财政拨款年度额", "年度资金总额"),
    "current_year_initial": ("当年财政拨款年初预算数", "年初预算数"),
    "current_year_annual": ("当年财政拨款全年预算数", "全年预算数"),
    "current_year_executed": ("当年财政拨款全年执行数", "全年执行数"),
    "carryover_initial": ("上年结转资金年初预算数", "上年结转年初预算数"),
    "carryover_annual": ("上年结转资金全年预算数", "上年结转全年预算数"),
    "carryover_executed": ("上年结转资金全年执行数", "上年结转全年执行数"),
    "other_initial": ("其他资金年初预算数",),
    "other_annual": ("其他资金全年预算数",),
    "other_executed": ("其他资金全年执行数",),
    "level1_weights": ("一级指标分值", "表头一级指标分值"),
    "low_score_explanation": (
        "80分以下原因分析及拟采取措施",
        "总分在80分以下的原因分析及拟采取措施",
        "低分原因说明",
    ),
    "printed_execution_rate": ("预算执行率", "执行率"),
    "printed_execution_score": ("预算执行得分", "执行得分"),
    "printed_total": ("自评得分", "总分"),
    "printed_grade": ("自评等级", "等级"),
}

#: labels printed in forms that carry no value of their own
_NOISE_LABELS = frozenset({"资金情况", "总体目标", "绩效目标", "绩效指标", "年度绩效指标", "项目基本情况"})

_BRACKETS = re.compile(r"[(（\[【][^()（）\[\]【】]*[)）\]】]")
_HEADER_NOISE = re.compile(r"[\s*＊:：·・\-—_/、.。]")


@lru_cache(maxsize=20000)
def header_key(text: str) -> str:
    """A header or label as compared: NFKC, no whitespace, no bracketed note, no punctuation, lower case."""
    return _header_key_of(unicodedata.normalize("NFKC", text))


def _header_key_of(folded: str) -> str:
    """:func:`header_key` of a text already folded by NFKC."""
    return _HEADER_NOISE.sub("", _BRACKETS.sub("", folded)).lower()


HEADER_ALIASES: dict[str, str] = {}
for _field, _names in _ALIASES.items():
    for _name in _names:
        HEADER_ALIASES.setdefault(header_key(_name), _field)

#: headers told apart only by their bracketed note: "指标方向（人工确认）" is the user's direction,
#: while "指标方向" alone (as some units title their 指标性质 column) stays 指标性质
_QUALIFIED_ALIASES: dict[str, str] = {
    "指标方向（人工确认）": "direction_override",
    "指标方向（人工指定）": "direction_override",
    "指标方向（人工）": "direction_override",
    "指标方向（人工选择）": "direction_override",
    "指标方向（确认）": "direction_override",
    "方向（人工确认）": "direction_override",
    "方向（人工指定）": "direction_override",
}
_BRACKET_MARKS = re.compile(r"[(（)）\[\]【】]")


def _qualified_key(folded: str) -> str:
    """A header (folded by NFKC) compared with its bracketed note kept (the brackets themselves dropped)."""
    return _HEADER_NOISE.sub("", _BRACKET_MARKS.sub("", folded)).lower()


QUALIFIED_HEADER_ALIASES: dict[str, str] = {
    _qualified_key(unicodedata.normalize("NFKC", name)): code for name, code in _QUALIFIED_ALIASES.items()
}
#: characters every qualified header has ("方", "向"), of those no case folding makes: a text without
#: one of them is no qualified header, whatever else it holds (most cells of a sheet are not headers)
_QUALIFIED_MARKS = "".join(
    sorted(
        mark
        for mark in set.intersection(*(set(key) for key in QUALIFIED_HEADER_ALIASES))
        if mark.lower() == mark.upper() == mark
    )
)
_LABEL = re.compile(r"(年度)?绩效指标(20\d\d年?)?")
#: the bare 指标方向 header: 指标性质, unless the table has a 指标性质 column of its own
BARE_DIRECTION_KEY = header_key("指标方向")


@lru_cache(maxsize=20000)
def field_of_header(text: str) -> str | None:
    """The field a header (or form label) names, or None."""
    if not text or len(text) > 40:
        return None
    folded = unicodedata.normalize("NFKC", text)
    if all(mark in folded for mark in _QUALIFIED_MARKS):
        qualified = QUALIFIED_HEADER_ALIASES.get(_qualified_key(folded))
        if qualified is not None:
            return qualified
    key = _header_key_of(folded)
    if key in HEADER_ALIASES:
        return HEADER_ALIASES[key]
    if _LABEL.fullmatch(key):
        return "label"
    return None


def is_noise_label(text: str) -> bool:
    return header_key(text) in {header_key(x) for x in _NOISE_LABELS} or field_of_header(text) == "label"
