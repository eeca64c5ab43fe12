"""The audit log: every change of an account, a group, a role assignment, an organisation (region,
department, unit), a scoring scheme or an administrator's decision on an indicator library entry, and every sign-in and sign-out, as an `AuditEntry` naming who, when, from where, and each field's old and new value.

Django's admin log says only that "user X was changed"; simple_history's rows would keep every old
password hash and a row per sign-in (`last_login`). Here the changes are read by signal handlers: the
row as stored before a save (pre_save) against the row saved (post_save), many-to-many sets before and
after (m2m_changed: groups, permissions), deletions, and the sign-in signals. Whoever saves — the admin,
a view, a command — is recorded: the request's user when there is a request (`AuditRequestMiddleware`),
none for commands and tasks. Passwords are recorded as changed, never with their values.

The audited models are named by label (TRACKED) and looked up when the app is ready, so that this app
imports neither projects nor perfgoals; a label whose app is not installed is skipped.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import translation

from .models import AuditAction, AuditEntry


@dataclass(frozen=True)
class Tracked:
    """What of a model is audited: its own fields, its many-to-many fields, and fields whose values are
    secret (recorded as changed, without the values)."""

    fields: tuple[str, ...]
    m2m: tuple[str, ...] = ()
    secret: tuple[str, ...] = ()


TRACKED: dict[str, Tracked] = {
    "auth.User": Tracked(
        fields=(
            "username",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "is_staff",
            "is_superuser",
            "password",
        ),
        m2m=("groups", "user_permissions"),
        secret=("password",),
    ),
    "auth.Group": Tracked(fields=("name",), m2m=("permissions",)),
    "projects.Region": Tracked(fields=("name", "finance_bureau")),
    "projects.Department": Tracked(fields=("region", "name")),
    "projects.Unit": Tracked(fields=("department", "name")),
    "projects.Membership": Tracked(fields=("user", "role", "region", "department", "unit")),
    "projects.ProjectGrant": Tracked(fields=("user", "project", "reason", "granted_by")),
    "perfgoals.ScoringScheme": Tracked(fields=("code", "name", "description", "params", "is_default")),
    "perfgoals.RegionScheme": Tracked(fields=("region", "year", "scheme")),
    # what an administrator decides of a library entry (the nightly rebuild changes its counts only)
    "intake.LibraryIndicator": Tracked(fields=("curated", "hidden", "note")),
    # the states of background work: an import batch's, a report package's (and its build number);
    # their conditional UPDATEs go through update_logged()
    "intake.ImportBatch": Tracked(fields=("status",)),
    "reports.ReportPackage": Tracked(fields=("status", "build")),
}

#: what the log says of a secret value (a password hash is never copied into the log)
SECRET_SET, SECRET_OLD, SECRET_NEW = "（已设置）", "（已隐藏）", "（已修改）"

#: the request being answered, for the actor and the address (set by AuditRequestMiddleware)
_request: ContextVar = ContextVar("audit_request", default=None)

#: model → Tracked, filled by connect()
_models: dict[type[models.Model], Tracked] = {}
#: many-to-many "through" model → (audited model, field name)
_through: dict[type[models.Model], tuple[type[models.Model], str]] = {}


class AuditRequestMiddleware:
    """Makes the current request known to the audit handlers (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def _actor(request=None):
    """(user or None, user name, address) of whoever is acting now."""
    request = request if request is not None else _request.get()
    if request is None:
        return None, "", None
    user = getattr(request, "user", None)
    address = getattr(request, "axes_ip_address", None) or _address(request)
    if user is None or not getattr(user, "is_authenticated", False):
        return None, "", address
    return user, user.get_username(), address


def _address(request) -> str | None:
    from .throttle import client_ip

    return client_ip(request)


# --- values as people read them ------------------------------------------------------------------


def _display(instance, name: str):
    """A field's value as the admin would show it: a related object's name, a choice's label, 是/否."""
    model_field = instance._meta.get_field(name)
    if model_field.is_relation:
        related = getattr(instance, name, None)
        return None if related is None else f"{related}（#{related.pk}）"
    value = getattr(instance, model_field.attname)
    if model_field.choices and value not in (None, ""):
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dict, list)):
        return json.loads(json.dumps(value, ensure_ascii=False, default=str))
    return value if value is None or isinstance(value, (int, str)) else str(value)


def _raw(instance, name: str):
    """A field's stored value, for comparing."""
    return getattr(instance, instance._meta.get_field(name).attname)


def _m2m_names(instance, name: str) -> list[str]:
    return sorted(str(obj) for obj in getattr(instance, name).all())


def _label(model, name: str) -> str:
    # in the site's language even in a command (commands run with translation deactivated)
    with translation.override(settings.LANGUAGE_CODE):
        return str(model._meta.get_field(name).verbose_name)


def _model_name(instance) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(instance._meta.verbose_name)


def _write(instance, action: str, changes: dict, request=None) -> AuditEntry:
    user, username, address = _actor(request)
    return AuditEntry.objects.create(
        actor=user,
        actor_name=username,
        ip_address=address,
        action=action,
        model=instance._meta.label_lower,
        model_name=_model_name(instance),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes,
    )


# --- saves and deletions -------------------------------------------------------------------------


def update_logged(queryset, **values) -> int:
    """``queryset.update(**values)`` with an audit entry for each row whose audited fields it changes
    (old and new values; who: the request's user, or none for a task). An UPDATE sends no signal: the
    rows are read and locked first, the same condition holds for the update, and they are read again
    after it (values may be expressions, e.g. ``F("build") + 1``). Unaudited fields: a plain update."""
    model = queryset.model
    tracked = _models.get(model)
    names = [name for name in tracked.fields if name in values] if tracked else []
    if not names:
        return queryset.update(**values)
    with transaction.atomic(using=queryset.db):
        before = {row.pk: row for row in queryset.select_for_update()}
        if not before:
            return 0
        count = model._base_manager.filter(pk__in=list(before)).update(**values)
        for row in model._base_manager.filter(pk__in=list(before)):
            old = before[row.pk]
            changes = {
                name: {"label": _label(model, name), "old": _display(old, name), "new": _display(row, name)}
                for name in names
                if _raw(old, name) != _raw(row, name)
            }
            if changes:
                _write(row, AuditAction.CHANGE, changes)
    return count


def _before_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    tracked = _models.get(sender)
    if tracked is None or raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(tracked.fields):
        return  # e.g. last_login at every sign-in: nothing audited can change
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = (
        None if old is None else {name: (_raw(old, name), _display(old, name)) for name in tracked.fields}
    )


def _after_save(sender, instance, created=False, raw=False, update_fields=None, **kwargs) -> None:
    tracked = _models.get(sender)
    if tracked is None or raw:
        return
    if not created and update_fields is not None and not set(update_fields) & set(tracked.fields):
        return  # skipped in _before_save: nothing audited was written
    before = instance.__dict__.pop("_audit_before", None)
    changes = {}
    for name in tracked.fields:
        new_raw = _raw(instance, name)
        if created or before is None:
            # a new row, or (saved with an explicit primary key over an existing row) one whose old
            # values were not read: only the new values are known
            if name in tracked.secret:
                old, new = None, SECRET_SET if new_raw else None
            else:
                old, new = None, _display(instance, name)
            if new in (None, "", [], {}) and old is None:
                continue
        else:
            old_raw, old_display = before[name]
            if old_raw == new_raw:
                continue
            if name in tracked.secret:
                old, new = SECRET_OLD, SECRET_NEW
            else:
                old, new = old_display, _display(instance, name)
        changes[name] = {"label": _label(sender, name), "old": old, "new": new}
    if created:
        _write(instance, AuditAction.CREATE, changes)
    elif changes:
        _write(instance, AuditAction.CHANGE, changes)


def _after_delete(sender, instance, **kwargs) -> None:
    tracked = _models.get(sender)
    if tracked is None:
        return
    changes = {
        name: {"label": _label(sender, name), "old": _display(instance, name), "new": None}
        for name in tracked.fields
        if name not in tracked.secret
    }
    _write(instance, AuditAction.DELETE, changes)


# --- many-to-many sets ---------------------------------------------------------------------------


def _m2m(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """groups, user_permissions, a group's permissions: the whole set before and after, for each audited
    object whose set changes — the object itself, or, from the other side (``group.user_set.add(…)``),
    each user added, removed or cleared. The sets read before the change wait on ``instance``."""
    target = _through.get(sender)
    if target is None:
        return
    audited, name = target
    stash = instance.__dict__.setdefault("_audit_m2m", {})
    if action in {"pre_add", "pre_remove", "pre_clear"}:
        if not reverse:
            objects = [instance]
        elif action == "pre_clear":
            objects = list(audited._base_manager.filter(**{name: instance}))
        else:
            objects = list(audited._base_manager.filter(pk__in=pk_set or ()))
        for obj in objects:
            stash.setdefault((obj.pk, name), (obj, _m2m_names(obj, name)))
    elif action in {"post_add", "post_remove", "post_clear"}:
        for key in [key for key in stash if key[1] == name]:
            obj, old = stash.pop(key)
            new = _m2m_names(obj, name)
            if old != new:
                _write(
                    obj, AuditAction.CHANGE, {name: {"label": _label(audited, name), "old": old, "new": new}}
                )


# --- signing in and out --------------------------------------------------------------------------


def _logged_in(sender, request, user, **kwargs) -> None:
    if user is not None:
        _write_session(user, AuditAction.LOGIN, request)


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        _write_session(user, AuditAction.LOGOUT, request)


def _write_session(user, action: str, request) -> None:
    address = getattr(request, "axes_ip_address", None) or (_address(request) if request else None)
    AuditEntry.objects.create(
        actor=user,
        actor_name=user.get_username(),
        ip_address=address,
        action=action,
        model=user._meta.label_lower,
        model_name=_model_name(user),
        object_id=str(user.pk),
        object_repr=str(user)[:200],
    )


def connect() -> None:
    """Connect the handlers to the audited models that are installed (idempotent)."""
    for label, tracked in TRACKED.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        _models[model] = tracked
        uid = f"audit-{label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}-post")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"{uid}-delete")
        for name in tracked.m2m:
            through = model._meta.get_field(name).remote_field.through
            _through[through] = (model, name)
            m2m_changed.connect(_m2m, sender=through, dispatch_uid=f"{uid}-{name}")
    user_logged_in.connect(_logged_in, dispatch_uid="audit-login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit-logout")
