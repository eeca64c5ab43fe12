"""Failed-login throttling with django-axes: the rules of this site.

* An account tried from one address: LOGIN_FAILURE_LIMIT failures (5) within LOGIN_LOCKOUT_MINUTES (15)
  lock that account at that address; the same account elsewhere is not locked, so a stranger cannot
  lock someone out of their own office by guessing at the account.
* An address: LOGIN_FAILURE_LIMIT_PER_ADDRESS failures (30) of any accounts lock the address (someone
  trying many accounts with a few passwords each). 0 turns it off. A whole office behind one NAT
  address shares this count, hence the higher limit.
* Each failure during a lockout starts the period again; a lockout ends LOGIN_LOCKOUT_MINUTES after
  the last failure, or when an administrator deletes the count in the admin (登录失败计数).

axes counts failures per parameter set with a single limit; `LoginThrottle` gives the address its own
limit by scaling the address's count to the account limit (locked when either count reaches its own).

The client's address is REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the address the
nearest trusted proxy saw (X-Forwarded-For read from the right): a client-supplied header is never
believed further than the proxies that append to it.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

#: the lockout parameter set of the per-address rule (see LoginThrottle)
ADDRESS_ONLY = "ip_address"


def failure_limit(request=None, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: failures of one account at one address that lock it."""
    return max(1, int(settings.LOGIN_FAILURE_LIMIT))


def cool_off(request=None) -> timedelta:
    """AXES_COOLOFF_TIME: how long failures count, and a lockout lasts after the last one."""
    return timedelta(minutes=max(1, int(settings.LOGIN_LOCKOUT_MINUTES)))


def client_ip(request) -> str | None:
    """The client's address (AXES_CLIENT_IP_CALLABLE; the audit log uses it too)."""
    remote = _valid(request.META.get("REMOTE_ADDR"))
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    # each trusted proxy appended the address it saw: the last `proxies` entries are theirs, anything
    # to the left of them may have been written by the client
    chosen = hops[-proxies] if len(hops) >= proxies else (hops[0] if hops else None)
    return _valid(chosen) or remote


def _valid(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


class LoginThrottle(AxesDatabaseHandler):
    """axes' database handler, with the per-address rule's own limit (LOGIN_FAILURE_LIMIT_PER_ADDRESS)."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        limit = get_failure_limit(request, credentials)
        per_address = int(getattr(settings, "LOGIN_FAILURE_LIMIT_PER_ADDRESS", 0) or 0)
        parameters = get_lockout_parameters(request, credentials)
        counts = []
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if parameter == ADDRESS_ONLY:
                # reaches `limit` exactly when the address's failures reach its own limit
                failures = failures * limit // per_address if per_address > 0 else 0
            counts.append(failures)
        return max(counts, default=0)


def lockout_response(request, original_response=None, credentials=None):
    """The lockout page (AXES_LOCKOUT_CALLABLE): Chinese, in the site's frame, HTTP 429."""
    return render(
        request,
        "accounts/locked_out.html",
        {
            "failure_limit": failure_limit(),
            "lockout_minutes": int(cool_off().total_seconds() // 60),
        },
        status=429,
    )
