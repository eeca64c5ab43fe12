"""Forms of the intake app."""

from __future__ import annotations

from django import forms

from .models import ImportKind
from .reader import max_bytes


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="导入内容", choices=ImportKind.choices, initial=ImportKind.GOALS, widget=forms.RadioSelect
    )
    year = forms.IntegerField(
        label="默认年度",
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="文件中没有“年度”列、表头也没有写年度时使用。",
    )
    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        limit = max_bytes()
        if uploaded.size > limit:
            raise forms.ValidationError(
                f"文件大小 {uploaded.size / 1024 / 1024:.1f} MB，超过上限 {limit / 1024 / 1024:.1f} MB。"
                "请删去无关的工作表或拆成几个文件后再导入。"
            )
        return uploaded


class RolloverForm(forms.Form):
    from_year = forms.IntegerField(label="从", min_value=2000, max_value=2100)
    to_year = forms.IntegerField(label="结转到", min_value=2000, max_value=2100)
    projects = forms.TypedMultipleChoiceField(
        label="项目", coerce=int, choices=(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].choices = [(p.pk, p.name) for p in sources]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("from_year") and cleaned.get("to_year") and cleaned["to_year"] <= cleaned["from_year"]:
            raise forms.ValidationError("结转到的年度必须晚于原年度。")
        return cleaned
