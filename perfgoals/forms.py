"""Forms of entry and review. They read and check single fields (a number is a number, an amount is
not negative); the rules that need the rest of the project (the weight total, the band limits, the
status) are the workflow's, whose messages the views put next to the same fields."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator

from projects.choices import BudgetSource

from . import workflow
from .choices import ValueBasis
from .engine import Scheme
from .models import STANDARD_101_FIELDS, STANDARD_101_LENGTHS, Evaluation, Indicator
from .templatetags.perf_format import input_number


class LenientDecimalField(forms.DecimalField):
    """A number as people type it: full-width digits, thousands separators, a trailing unit.

    "５５１５", "5,515", "1807.5 万元", "4.5分" are all read; anything else is refused with a Chinese
    message next to the field.
    """

    #: units that may follow the number (and are dropped)
    units: tuple[str, ...] = ()
    example = "5515 或 1807.5"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)
        self.error_messages["invalid"] = f"请输入数字，例如 {self.example}。"
        self.error_messages["min_value"] = "不能为负数。"
        if self.max_digits is not None and self.decimal_places is not None:
            # Django's DecimalValidator says "no more than 6 digits in total" for 9999.999 as for 123456:
            # the whole digits and the decimal places are checked apart, each with its own message
            self.validators = [v for v in self.validators if not isinstance(v, DecimalValidator)]
            whole = self.max_digits - self.decimal_places
            self.error_messages["max_whole_digits"] = f"数值过大：最多 {whole} 位整数，请检查是否多输了数字。"
            self.error_messages["max_decimal_places"] = f"最多保留 {self.decimal_places} 位小数。"

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values or self.max_digits is None or self.decimal_places is None:
            return
        _sign, digits, exponent = value.normalize().as_tuple()  # 5.000 has no decimal places
        places = max(-exponent, 0) if isinstance(exponent, int) else 0
        whole = len(digits) + exponent if isinstance(exponent, int) else len(digits)
        if whole > self.max_digits - self.decimal_places:
            raise ValidationError(self.error_messages["max_whole_digits"], code="max_whole_digits")
        if places > self.decimal_places:
            raise ValidationError(self.error_messages["max_decimal_places"], code="max_decimal_places")

    def to_python(self, value):
        if isinstance(value, str):
            text = unicodedata.normalize("NFKC", value)
            text = re.sub(r"[\s,，]", "", text)
            for unit in self.units:
                if text.endswith(unit):
                    text = text[: -len(unit)]
                    break
            value = text
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return input_number(value)
        return value


class AmountField(LenientDecimalField):
    units = ("万元", "万")
    example = "5515 或 1807.5（万元）"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 4)
        kwargs.setdefault("min_value", Decimal(0))
        super().__init__(*args, **kwargs)
        self.error_messages["max_decimal_places"] = "金额以万元为单位，最多保留 4 位小数（到元）。"


class ScoreField(LenientDecimalField):
    units = ("分",)
    example = "4.5"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 6)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal(0))
        super().__init__(*args, **kwargs)
        self.error_messages["max_decimal_places"] = "分数最多保留 2 位小数。"


class VersionedForm(forms.Form):
    """A form that carries the version of the data it was loaded with (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def submitted(self) -> dict:
        """The cleaned values of the fields the page actually sent (absent inputs change nothing)."""
        names = {self.add_prefix(name): name for name in self.fields if name != "version"}
        return {name: self.cleaned_data.get(name) for key, name in names.items() if key in self.data}


#: the class of every input on the entry page that carries the page's ``Evaluation.version``: an htmx save
#: answers one more such input out of band, which replaces them all (``_row_response.html``)
PAGE_VERSION_CLASS = "page-version"


class PageVersionedForm(VersionedForm):
    """A form versioned by the whole project-year (``Evaluation.version``, the page's version): its
    version input follows the user's own inline saves (see ``PAGE_VERSION_CLASS``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].widget.attrs["class"] = PAGE_VERSION_CLASS


class SubmitForm(PageVersionedForm):
    """提交审核 / 提交绩效目标: only the version of the page the user submits from."""


class IndicatorEntryForm(VersionedForm):
    """One indicator row of the 自评表 in entry mode."""

    actual_text = forms.CharField(
        label="实际完成值（B）",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "如 93%、400.3 万人，或文字"}),
    )
    band = forms.ChoiceField(label="评定档次", required=False)
    band_score = ScoreField(
        label="档次内得分",
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "不填按本档上限计"}
        ),
    )
    weight = ScoreField(label="分值")
    deviation_note = forms.CharField(
        label="偏差原因分析及改进措施",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, indicator: Indicator, scheme: Scheme, can_edit_plan: bool, **kwargs):
        kwargs.setdefault("prefix", f"ind{indicator.pk}")
        kwargs.setdefault(
            "initial",
            {
                "version": indicator.version,
                "actual_text": indicator.actual_text,
                "band": indicator.band,
                "band_score": indicator.band_score,
                "weight": indicator.weight,
                "deviation_note": indicator.deviation_note,
            },
        )
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        scale = workflow.band_scale(indicator, scheme)
        bands = scheme.bands.get(scale, ())
        self.band_options = []
        for band in bands:
            label = band.short
            if indicator.weight is not None:
                low, high = workflow.band_range(band, indicator.weight)
                label = f"{band.short}（{low}–{high}）"
            self.band_options.append((band.short, label))
        choices = [("", "请选择档次")] + self.band_options
        if indicator.band and indicator.band not in {short for short, _ in self.band_options}:
            choices.append((indicator.band, indicator.band))  # a band printed in another scale stays visible
        self.fields["band"].choices = choices
        if not can_edit_plan:
            del self.fields["weight"]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("form", f"form-{self.prefix}")
            if name != "version":
                field.widget.attrs.setdefault("aria-label", f"{indicator.name} {field.label}")


class BudgetForm(PageVersionedForm):
    """The 项目预算执行情况 block: three figures for each fund source, in 万元."""

    SOURCES = [
        (BudgetSource.CURRENT_YEAR, "其中：当年财政拨款"),
        (BudgetSource.CARRYOVER, "上年结转资金"),
        (BudgetSource.OTHER, "其他资金"),
    ]

    def __init__(self, *args, evaluation: Evaluation, lines, can_edit_plan: bool, **kwargs):
        by_source = {line.source: line for line in lines}
        initial = {"version": evaluation.version}
        super().__init__(*args, initial=initial, **kwargs)
        self.rows = []
        for source, label in self.SOURCES:
            line = by_source.get(source)
            names = []
            for name, field_label in workflow.BUDGET_FIELDS.items():
                key = f"{source}-{name}"
                locked = name in workflow.PLAN_BUDGET_FIELDS and not can_edit_plan
                self.fields[key] = AmountField(
                    label=f"{label.removeprefix('其中：')} {field_label}", disabled=locked
                )
                self.initial[key] = getattr(line, name) if line else None
                self.fields[key].widget.attrs["aria-label"] = self.fields[key].label
                names.append(key)
            self.rows.append((source, label, names))

    def lines(self) -> dict[str, dict]:
        """Cleaned figures by source, only for fields sent and not locked."""
        result: dict[str, dict] = {}
        for source, _label, names in self.rows:
            for key in names:
                if self.fields[key].disabled or self.add_prefix(key) not in self.data:
                    continue
                result.setdefault(source, {})[key.split("-", 1)[1]] = self.cleaned_data.get(key)
        return result

    def bound_rows(self):
        """(label, [bound fields]) per fund source, for the template."""
        return [(label, [self[key] for key in names]) for _source, label, names in self.rows]


class ExplanationForm(PageVersionedForm):
    """目标实际完成情况 and the below-80 explanation (each posted from its own place on the page)."""

    goal_result_text = forms.CharField(
        label="目标实际完成情况",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    low_score_explanation = forms.CharField(
        label="总分在 80 分以下的项目未实现绩效目标的原因分析及拟采取的措施说明",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReturnForm(VersionedForm):
    comment = forms.CharField(
        label="退回意见",
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "写明需要修改的内容，填报人在项目页上可以看到"}
        ),
        error_messages={"required": "退回时必须填写审核意见。"},
    )


class ApproveForm(VersionedForm):
    comment = forms.CharField(
        label="审核意见（可选）", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FinanceReviewForm(VersionedForm):
    """Finance's review (the region's last level): one comment, three buttons (审核通过, 退回主管部门,
    退回填报单位), each posting to its step; a return needs the comment, which the workflow asks for."""

    comment = forms.CharField(
        label="财政审核意见（退回时必填）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "写明需要修改的内容；审核通过时可不填"}),
    )


class ReopenForm(VersionedForm):
    reason = forms.CharField(
        label="重新开放理由",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：按审计意见更正 2019 年度实际完成值"}),
        error_messages={"required": "重新开放必须填写理由。"},
    )


# --- directions (#12: a guess is confirmed by the unit, corrected by the supervisor) -----------------

DIRECTION_FORM_CHOICES = [
    ("ge", "正向（≥）"),
    ("le", "反向（≤）"),
    ("eq", "等于（＝）"),
    ("approx", "约等于（≈）"),
]


class DirectionForm(VersionedForm):
    """The unit confirms or changes one indicator's direction (``version``: the indicator's)."""

    direction = forms.ChoiceField(
        choices=DIRECTION_FORM_CHOICES, error_messages={"invalid_choice": "请选择指标方向。"}
    )


class ConfirmDirectionsForm(PageVersionedForm):
    """The unit confirms every guessed direction as read (``version``: the page's)."""


class CorrectDirectionForm(VersionedForm):
    """A supervisor corrects an indicator's direction during review (``version``: the evaluation's)."""

    direction = forms.ChoiceField(
        label="更正为", choices=DIRECTION_FORM_CHOICES, error_messages={"invalid_choice": "请选择指标方向。"}
    )
    reason = forms.CharField(
        label="理由",
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "如：公示率越高越好，应为正向"}),
        error_messages={"required": "更正指标方向必须填写理由，填报单位会看到。"},
    )


# --- the target stage ------------------------------------------------------------------------------

NATURE_FORM_CHOICES = [
    ("", "按指标值识别"),
    ("ge", "正向（≥）"),
    ("le", "反向（≤）"),
    ("eq", "等于（＝）"),
    ("approx", "约等于（≈）"),
    ("qualitative", "定性"),
]


def level2_choices(generation: str, current: str = "") -> list:
    """Level-2 categories of a generation grouped under their level 1 (optgroups), plus the current one."""
    from .engine import vocabulary

    groups = []
    for level1 in vocabulary.GENERATION_LEVEL1[generation]:
        codes = [c for c in vocabulary.GENERATIONS[generation] if vocabulary.level1_of(c) == level1]
        if current and vocabulary.level1_of(current) == level1 and current not in codes:
            codes.append(current)
        groups.append((vocabulary.level1_name(level1), [(c, vocabulary.level2_name(c)) for c in codes]))
    return groups


class TargetForm(forms.Form):
    """One indicator of the target tree: add (no version) or edit (with the version it was loaded with).

    Only the fields the page sent are applied (a confirm-direction button sends 指标性质 alone)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    level1 = forms.ChoiceField(label="一级指标", required=False)
    level2 = forms.ChoiceField(label="二级指标", required=False)
    name = forms.CharField(
        label="三级指标",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "如 参保率、群众满意度"}),
    )
    target_text = forms.CharField(
        label="年度指标值（A）",
        required=False,
        max_length=500,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": "如 ≥95%、400 万人以上、显著提高"}
        ),
    )
    nature = forms.ChoiceField(label="指标性质", required=False, choices=NATURE_FORM_CHOICES)
    unit_printed = forms.CharField(
        label="度量单位",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "可不填"}),
    )
    weight = ScoreField(label="分值")
    not_applicable = forms.TypedChoiceField(
        label="不适用",
        required=False,
        choices=[("0", "适用"), ("1", "不适用")],
        coerce=lambda v: v == "1",
        empty_value=None,
    )
    # 财预〔2021〕101号 (shown folded under the indicator: "101号 字段")
    explanation = forms.CharField(
        label="指标解释",
        required=False,
        max_length=STANDARD_101_LENGTHS["explanation"],
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "指标的含义和计算口径"}),
    )
    scoring_standard = forms.CharField(
        label="评(扣)分标准",
        required=False,
        max_length=STANDARD_101_LENGTHS["scoring_standard"],
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "如 达到目标值得满分，每低 1 个百分点扣 0.5 分"}
        ),
    )
    data_source = forms.CharField(
        label="数据来源/佐证",
        required=False,
        max_length=STANDARD_101_LENGTHS["data_source"],
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如 业务系统统计报表、验收报告"}),
    )
    basis = forms.ChoiceField(label="取值依据", required=False, choices=[("", "未选择"), *ValueBasis.choices])
    #: the library entry a suggestion was chosen from (its name key; set by the page's suggestion list)
    library_key = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)

    def __init__(self, *args, generation: str, indicator: Indicator | None = None, **kwargs):
        from .engine import vocabulary

        if indicator is not None:
            kwargs.setdefault("prefix", f"t{indicator.pk}")
            kwargs.setdefault(
                "initial",
                {
                    "version": indicator.version,
                    "level1": indicator.level1,
                    "level2": indicator.level2,
                    "name": indicator.name,
                    "target_text": indicator.target_text,
                    "nature": workflow.nature_choice(indicator),
                    "unit_printed": indicator.unit_printed,
                    "weight": indicator.weight,
                    "not_applicable": "1" if indicator.not_applicable else "0",
                    **{name: getattr(indicator, name) for name in STANDARD_101_FIELDS},
                    "library_key": indicator.library_key,
                },
            )
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        current = indicator.level2 if indicator else ""
        self.fields["level1"].choices = [("", "请选择一级指标")] + [
            (code, vocabulary.level1_name(code)) for code in vocabulary.GENERATION_LEVEL1[generation]
        ]
        self.fields["level2"].choices = [("", "请选择二级指标")] + level2_choices(generation, current)
        self.fields["level2"].widget.attrs["data-level2"] = "1"
        if indicator is not None:
            del self.fields["level1"]  # the level-2 choice decides it
            for name, field in self.fields.items():
                field.widget.attrs.setdefault("form", f"tform-{indicator.pk}")
                if name != "version":
                    field.widget.attrs.setdefault("aria-label", f"{indicator.name} {field.label}")

    def submitted(self) -> dict:
        names = {self.add_prefix(name): name for name in self.fields if name != "version"}
        return {name: self.cleaned_data.get(name) for key, name in names.items() if key in self.data}


class Level1WeightsForm(VersionedForm):
    """The declared weight of each level-1 category (表头 "产出指标（50 分）"); blank = none declared."""

    def __init__(self, *args, evaluation: Evaluation, generation: str, extra: tuple[str, ...] = (), **kwargs):
        from .engine import vocabulary

        declared = evaluation.declared_level1_weights or {}
        kwargs.setdefault("initial", {"version": evaluation.version})
        super().__init__(*args, **kwargs)
        codes = list(vocabulary.GENERATION_LEVEL1[generation])
        codes += [c for c in (*extra, *declared) if c not in codes and c in vocabulary.LEVEL1]
        self.codes = codes
        for code in codes:
            key = f"w_{code}"
            self.fields[key] = ScoreField(label=vocabulary.level1_name(code))
            self.fields[key].widget.attrs["aria-label"] = f"{vocabulary.level1_name(code)} 分值"
            value = declared.get(code)
            self.initial[key] = Decimal(str(value)) if value not in (None, "") else None

    def weights(self) -> dict[str, Decimal | None]:
        return {
            code: self.cleaned_data.get(f"w_{code}")
            for code in self.codes
            if self.add_prefix(f"w_{code}") in self.data
        }


#: the target review grades (财预〔2015〕88号) with what each one does, as the review page offers them
TARGET_GRADE_CHOICES = [
    ("优", "优：批复"),
    ("良", "良：批复（经沟通确认）"),
    ("中", "中：退回修改，修改后重新提交"),
    ("差", "差：不予通过"),
]


class TargetGradeForm(VersionedForm):
    """The supervisor's graded review of submitted targets: the grade decides the move
    (``workflow.grade_targets``); 中 and 差 need a comment, which the workflow asks for."""

    grade = forms.ChoiceField(
        label="评审等级",
        choices=TARGET_GRADE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "请选择评审等级：优、良、中或差。",
            "invalid_choice": "请选择评审等级：优、良、中或差。",
        },
    )
    comment = forms.CharField(
        label="评审意见（评为中、差时必填）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "评为中：写明需要修改的指标或分值；评为差：写明不予通过的理由"}
        ),
    )


#: 是否包含政府采购 as the form offers it ("" = not stated)
PROCUREMENT_CHOICES = [("", "未填写"), ("yes", "是"), ("no", "否")]


class ProjectInfoForm(PageVersionedForm):
    """The project's fields the goal tables print (长期目标, 立项依据, dates, procurement, 项目总预算),
    versioned by the project-year (``workflow.update_project_info`` decides)."""

    long_term_goal = forms.CharField(
        label="长期目标（实施期总体目标）",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    legal_basis = forms.CharField(
        label="立项依据及概况", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    start_date = forms.DateField(
        label="项目立项时间",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end_date = forms.DateField(
        label="项目结束时间",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    government_procurement = forms.ChoiceField(
        label="是否包含政府采购", required=False, choices=PROCUREMENT_CHOICES
    )
    procurement_amount = AmountField(label="政府采购金额（万元）")
    total_budget = AmountField(label="项目总预算（万元）")

    def __init__(self, *args, project=None, evaluation=None, **kwargs):
        if project is not None and "data" not in kwargs and not args:
            kwargs["initial"] = {
                "version": evaluation.version if evaluation is not None else None,
                "long_term_goal": project.long_term_goal,
                "legal_basis": project.legal_basis,
                "start_date": project.start_date,
                "end_date": project.end_date,
                "government_procurement": {True: "yes", False: "no"}.get(project.government_procurement, ""),
                "procurement_amount": project.procurement_amount,
                "total_budget": project.total_budget,
            }
        super().__init__(*args, **kwargs)
        for date_field in ("start_date", "end_date"):
            self.fields[date_field].error_messages["invalid"] = "请输入日期，例如 2021-03-01。"

    def info(self) -> dict:
        """The cleaned values as the action takes them (procurement as True / False / None)."""
        data = {name: self.cleaned_data.get(name) for name in self.fields if name != "version"}
        data["government_procurement"] = {"yes": True, "no": False}.get(data["government_procurement"])
        return data
