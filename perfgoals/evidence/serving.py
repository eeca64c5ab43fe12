"""A stored evidence file as a download: always an attachment no browser renders, under the name of what
the file is. Used by the evidence pages and by the 整改 pages for the files of a 整改事项 (each after its
own access check).

* On the local disk (and any storage that cannot sign a URL) the file is streamed by the application,
  with ``nosniff`` and a sandboxing CSP.
* On S3-compatible object storage with signed URLs (django-storages' ``S3Storage`` with
  ``querystring_auth``, its default) the user is redirected to a URL signed for ``SIGNED_URL_SECONDS``
  that makes the object storage itself answer with ``Content-Disposition: attachment``, the type judged
  from the content and ``Cache-Control: private, no-store`` (S3's ``response-content-*`` overrides):
  the bytes do not pass through a web host or a temporary file. Only accepted types are ever stored
  (``content``), so the object storage's lack of ``nosniff`` leaves nothing to sniff into HTML.
  ``EVIDENCE_SIGNED_URLS = False`` streams through the application instead.
"""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.http import content_disposition_header

from . import content
from .models import Evidence

#: how long a signed download URL stays valid
SIGNED_URL_SECONDS = 60


def signed_url(storage, name: str, filename: str, content_type: str) -> str | None:
    """A short-lived URL of ``name`` that downloads as an attachment, when ``storage`` can sign one."""
    if not getattr(settings, "EVIDENCE_SIGNED_URLS", True):
        return None
    if not getattr(storage, "querystring_auth", False) or getattr(storage, "custom_domain", None):
        return None
    if not hasattr(storage, "bucket_name"):
        return None
    return storage.url(
        name,
        parameters={
            "ResponseContentDisposition": content_disposition_header(True, filename),
            "ResponseContentType": content_type,
            "ResponseCacheControl": "private, no-store",
        },
        expire=SIGNED_URL_SECONDS,
    )


def attachment(evidence: Evidence):
    """The response that downloads ``evidence`` (the caller has checked that the user may read it)."""
    kind = content.kind_of(evidence.content_type)
    if kind is None:  # a type this version no longer accepts: still only ever an opaque download
        kind = content.Kind("application/octet-stream", "", "")
        name = evidence.original_name
    else:
        name = content.download_name(evidence.original_name, kind)
    url = signed_url(evidence.file.storage, evidence.file.name, name, kind.content_type)
    if url:
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        handle = evidence.file.storage.open(evidence.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("文件不存在。") from None
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=kind.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
