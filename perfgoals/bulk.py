"""Set-based writes of many rows, for the paths that write thousands at once (the Excel import's new
project-years, the bulk rescoring, the indicator library).

Django's ``bulk_create`` prepares every value of every row through its field and the SQL compiler;
for 10,000 indicators of 35 columns that is most of an import's time. :func:`insert_rows` writes
plain tuples instead: ``COPY … FROM STDIN`` on PostgreSQL, ``executemany`` elsewhere, each value
adapted by the one rule its column needs (decided once per column, not once per value); columns the
rows do not give take the model's default (``auto_now`` / ``auto_now_add`` columns: now), as
``bulk_create`` would. Nothing is read back: callers find the new rows by a column they know
(e.g. ``project_id``).

:func:`insert_history` writes the django-simple-history rows of rows already in the table, copied by
the database from the rows as they now read (``INSERT … SELECT``), with when, who, why and the
history type — what ``bulk_create_with_history`` or a ``save()`` would have recorded, without
building a historical instance per row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connections, router
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKey,
    IntegerField,
    JSONField,
    TextField,
)
from django.utils import timezone

#: values every database driver takes as they are (adapted by the driver, as Django's own path does)
_PLAIN = frozenset({str, int, bool, Decimal, type(None)})

#: JSON texts of lists written again and again (flag lists, warning lists): list key → text
_JSON_TEXTS: dict[tuple, str] = {}


def json_text(value: Any) -> str:
    """A JSON column's value as the text stored (repeated lists are dumped once)."""
    if isinstance(value, list):
        if value and isinstance(value[0], dict):  # warnings: a list of {"code", "message"}
            try:
                key = tuple((item["code"], item["message"]) for item in value)
            except (KeyError, TypeError):
                return json.dumps(value, ensure_ascii=False)
        else:
            key = tuple(value)
        try:
            text = _JSON_TEXTS.get(key)
        except TypeError:  # unhashable items
            return json.dumps(value, ensure_ascii=False)
        if text is None:
            text = json.dumps(value, ensure_ascii=False)
            if len(_JSON_TEXTS) < 8192:
                _JSON_TEXTS[key] = text
        return text
    return json.dumps(value, ensure_ascii=False)


#: columns whose values (str, int, bool, Decimal or None, as the rows must give them) every driver
#: takes as they are, as Django's own path hands them over
_AS_THEY_ARE = (CharField, TextField, IntegerField, BooleanField, DecimalField, ForeignKey)


def _adapter(field, connection) -> Callable[[Any], Any] | None:
    """How a value of ``field`` is handed to the driver (None: as it is)."""
    if isinstance(field, JSONField):
        return json_text
    if isinstance(field, _AS_THEY_ARE):
        return None
    if connection.vendor == "postgresql" and isinstance(field, DateField | DateTimeField):
        return None  # COPY takes date and aware datetime values as they are
    prepare = field.get_db_prep_save
    plain = _PLAIN

    def adapt(value):
        return value if type(value) in plain else prepare(value, connection)

    return adapt


def _defaults(model, given: Sequence[str], now) -> list[tuple[Any, Any]]:
    """(field, value) of every concrete column the rows do not give (the auto primary key apart)."""
    missing = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in given or field.name in given:
            continue
        if isinstance(field, DateTimeField) and (field.auto_now or field.auto_now_add):
            value = now
        else:
            value = field.get_default()
        missing.append((field, value))
    return missing


def insert_rows(model, fields: Sequence[str], rows: Iterable[Sequence[Any]], *, batch: int = 2000) -> int:
    """Insert ``rows`` (tuples of the values of ``fields``, attnames such as ``project_id``) into
    ``model``'s table; returns how many. Text, number, boolean and key columns take their values as
    given (str, int, bool, Decimal, None); JSON columns any JSON value; others go through the
    field. The other columns take their defaults. No signal is sent and
    no history is written (see :func:`insert_history`)."""
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    missing = _defaults(model, fields, timezone.now())
    all_fields = columns + [field for field, _ in missing]
    adapters = [_adapter(field, connection) for field in all_fields]
    constant = tuple(
        adapter(value) if adapter is not None else value
        for (field, value), adapter in zip(missing, adapters[len(columns) :], strict=True)
    )
    given = [(i, adapter) for i, adapter in enumerate(adapters[: len(columns)]) if adapter is not None]

    def prepared(row):
        if given:
            row = list(row)
            for i, adapter in given:
                row[i] = adapter(row[i])
        return (*row, *constant)

    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = ", ".join(quote(field.column) for field in all_fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"copy {table} ({names}) from stdin") as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(prepared(row))
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(all_fields))
        sql = f"insert into {table} ({names}) values ({marks})"
        chunk: list[tuple] = []
        for row in rows:
            chunk.append(prepared(row))
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def insert_history(
    model,
    column: str,
    values: Iterable[Any],
    *,
    when=None,
    reason: str | None = None,
    user_id: int | None = None,
    history_type: str = "+",
    chunk: int = 500,
) -> None:
    """One django-simple-history row for every row of ``model`` whose ``column`` is one of
    ``values`` (e.g. ``"project_id"`` and the new projects' ids), copied from the row as it now reads,
    with ``when`` (default now), ``reason``, ``user_id`` and ``history_type`` ("+" created, "~"
    changed)."""
    values = list(values)
    if not values:
        return
    historical = model.history.model
    connection = connections[router.db_for_write(historical)]
    quote = connection.ops.quote_name
    copied = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
    when = connection.ops.adapt_datetimefield_value(when or timezone.now())
    insert = (
        f"insert into {quote(historical._meta.db_table)} ({copied}, history_date, history_change_reason, "
        f"history_type, history_user_id) select {copied}, %s, %s, %s, %s from {quote(model._meta.db_table)} "
        f"where {quote(model._meta.get_field(column).column)} in "
    )
    with connection.cursor() as cursor:
        for start in range(0, len(values), chunk):
            part = values[start : start + chunk]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(insert + f"({marks})", [when, reason, history_type, user_id, *part])
