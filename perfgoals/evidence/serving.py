"""A stored evidence file as a download: always an attachment no browser renders (nosniff, a sandboxing
CSP), under the name of what the file is. Used by the evidence pages and by the 整改 pages for the files
of a 整改事项 (each after its own access check)."""

from __future__ import annotations

from django.http import FileResponse, Http404

from . import content
from .models import Evidence


def attachment(evidence: Evidence):
    """The response that downloads ``evidence`` (the caller has checked that the user may read it)."""
    kind = content.kind_of(evidence.content_type)
    if kind is None:  # a type this version no longer accepts: still only ever an opaque download
        kind = content.Kind("application/octet-stream", "", "")
        name = evidence.original_name
    else:
        name = content.download_name(evidence.original_name, kind)
    try:
        handle = evidence.file.storage.open(evidence.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("文件不存在。") from None
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=kind.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
