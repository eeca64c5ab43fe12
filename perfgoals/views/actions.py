"""What every action view does the same way."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .. import workflow


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def sent_page_version(request) -> int | None:
    """The evaluation version the page posting was rendered with (its ``page-version`` inputs)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


#: a submission from a page that sent no version (forged, or rendered before submissions carried one)
NO_VERSION = "页面缺少版本信息，{}没有提交。页面已显示最新数据，请核对后再提交。"


def form_errors(form, exc: workflow.InvalidData) -> None:
    for name, errors in exc.errors.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
