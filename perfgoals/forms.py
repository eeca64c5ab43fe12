"""Forms of entry and review. They read and check single fields (a number is a number, an amount is
not negative); the rules that need the rest of the project (the weight total, the band limits, the
status) are the workflow's, whose messages the views put next to the same fields."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django import forms

from projects.choices import BudgetSource

from . import workflow
from .engine import Scheme
from .models import Evaluation, Indicator
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


class IndicatorEntryForm(VersionedForm):
    """One indicator row of the 自评表 in entry mode."""

    actual_text = forms.CharField(
        label="实际完成值（B）", required=False, max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "如 93%、400.3 万人，或文字"}),
    )
    band = forms.ChoiceField(label="评定档次", required=False)
    band_score = ScoreField(label="档次内得分", widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "不填按本档上限计"}))
    weight = ScoreField(label="分值")
    deviation_note = forms.CharField(
        label="偏差原因分析及改进措施", required=False, max_length=2000,
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


class BudgetForm(VersionedForm):
    """The 项目预算执行情况 block: three figures for each fund source, in 万元."""

    SOURCES = [(BudgetSource.CURRENT_YEAR, "其中：当年财政拨款"), (BudgetSource.CARRYOVER, "上年结转资金"), (BudgetSource.OTHER, "其他资金")]

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
                self.fields[key] = AmountField(label=f"{label.removeprefix('其中：')} {field_label}", disabled=locked)
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


class ExplanationForm(VersionedForm):
    """目标实际完成情况 and the below-80 explanation (each posted from its own place on the page)."""

    goal_result_text = forms.CharField(
        label="目标实际完成情况", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
    )
    low_score_explanation = forms.CharField(
        label="总分在 80 分以下的项目未实现绩效目标的原因分析及拟采取的措施说明", required=False,
        max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReturnForm(VersionedForm):
    comment = forms.CharField(
        label="退回意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "placeholder": "写明需要修改的内容，填报人在项目页上可以看到"}),
        error_messages={"required": "退回时必须填写审核意见。"},
    )


class ApproveForm(VersionedForm):
    comment = forms.CharField(label="审核意见（可选）", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(VersionedForm):
    reason = forms.CharField(
        label="重新开放理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：按审计意见更正 2019 年度实际完成值"}),
        error_messages={"required": "重新开放必须填写理由。"},
    )
