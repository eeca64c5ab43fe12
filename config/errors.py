"""The site's 500 page: Chinese, in the site's frame, whatever broke.

Django's own ``server_error`` renders ``500.html`` and, should that raise, the request ends in the
server's bare English error. This one renders ``500.html`` (a page that needs no context, no request
and no database: it does not extend ``base.html``, whose top bar asks for the user and the URLs) and,
if even that fails, answers a fixed Chinese page. The 400, 403 and 404 pages are Django's views with
the templates ``400.html``, ``403.html`` and ``404.html`` (``403_csrf.html`` for a failed CSRF check).
"""

from __future__ import annotations

import logging

from django.http import HttpResponseServerError
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

#: the last resort: the same words as 500.html, without the stylesheet
FALLBACK_500 = (
    '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>系统出现错误</title></head>'
    '<body><header class="topbar"><a class="brand" href="/">绩效目标与绩效自评系统</a></header>'
    "<main><h1>系统出现错误</h1><p>服务器处理请求时出现错误，已记录在系统日志中。"
    '请稍后重试；如问题持续，请联系系统管理员。</p><p><a href="/">返回首页</a></p></main></body></html>'
)


def server_error(request, *args, **kwargs):
    """handler500: 500.html rendered without a request context, or the fixed page."""
    try:
        body = render_to_string("500.html")
    except Exception:  # whatever broke the request may break the template too: never fail here
        logger.exception("500.html could not be rendered; answering the fixed page")
        body = FALLBACK_500
    return HttpResponseServerError(body)


class MethodNotAllowedPage:
    """Django's ``require_POST`` and friends answer 405 with an empty body: a blank browser page.

    This middleware gives such an answer the site's Chinese page (``405.html``), keeping the status
    and the ``Allow`` header. Answers with a body of their own (an API's JSON) are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and not response.streaming:
            from django.template.response import TemplateResponse

            page = TemplateResponse(request, "405.html", status=405)
            page.render()
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response
