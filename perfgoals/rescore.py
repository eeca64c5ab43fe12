"""Bulk rescoring (a region, a year, the whole province).

`perfgoals.scoring.recompute` is the interactive path: one project, one save per changed row. Rescoring a
province (100,000 projects, 1.5 million indicators) that way spends its time in the ORM, not in the
engine, so the bulk path reads plain tuples (values_list(), the engine's inputs only), scores with
the same engine calls, and writes back set-based.

On PostgreSQL every computed row goes by COPY into a temporary table, and ONE statement per table
and chunk updates the rows whose stored values differ (compared by the database, at the column's
own precision: `IS DISTINCT FROM`) and inserts their history rows from the UPDATE's RETURNING:

    WITH changed AS (UPDATE t SET ... FROM tmp WHERE t.id = tmp.id AND (t.…) IS DISTINCT FROM (tmp.…)
                     RETURNING t.*)
    INSERT INTO historical_t (...) SELECT ... FROM changed          (for the indicators: … GROUP BY project)

so the scored fields are never read back into Python and each changed row is found once. Elsewhere
(SQLite) the stored values are read and compared in Python, and bulk_update writes the changed ones.

History. A changed score must stay traceable, so every indicator row whose computed fields change
is listed, with its score before — read with the engine's inputs, under the chunk's locks — and
after, in its project's `ScoreChange` row of the run (one per project-year: when, the change reason
"批量重算 <run label>", the list), and every evaluation whose total, grade or completeness changes
gets one full historical row, exactly as `recompute` would have written (history_type "~", no user).
The 变更记录 shows both as changes by （系统） with the run's reason, old → new. A full historical row
per indicator (every column, five indexes) cost the database about twice a narrow row per indicator,
and the rows per project cost two thirds of those (the history insert of a chunk of 7,500 changed
indicators, EXPLAIN ANALYZE: 22 → 15 ms; `bench/rescore.py`, issue #18; see `ScoreChange`). Rows whose
values do not move get no history: a repeat rescore of an unchanged province writes no history at
all (only each evaluation's computed_at moves, as with recompute).
"""

from __future__ import annotations

import multiprocessing
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections, router, transaction
from django.db.models import JSONField
from django.utils import timezone

from projects.models import BudgetLine

from . import collector
from .bulk import insert_history, json_text
from .engine import score_evaluation
from .engine.units import round_half_up
from .models import Evaluation, Indicator, ScoreChange, ScoringScheme
from .scoring import (
    EVALUATION_RESULT_FIELDS,
    INPUT_FIELDS,
    SCORED_FIELDS,
    evaluation_input_from_rows,
    evaluation_values,
    indicator_values,
    stored_decimal,
)
from .signals import evaluations_rescored


@dataclass
class RescoreStats:
    """What a bulk rescoring did, with where the time went (seconds)."""

    projects: int = 0
    indicators: int = 0
    indicators_changed: int = 0
    evaluations_changed: int = 0
    read_seconds: float = 0.0
    score_seconds: float = 0.0
    write_seconds: float = 0.0

    def add(self, other: RescoreStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _places(model, fields: list[str]) -> list[int | None]:
    """Decimal places of each field (None for non-decimal fields), to compare as the column stores."""
    return [getattr(model._meta.get_field(name), "decimal_places", None) for name in fields]


def _differs(old: tuple, new: tuple, places: list[int | None]) -> bool:
    """Whether storing ``new`` would change the stored row ``old`` (same field order): decimals compared
    at the column's precision (an execution rate of 1/3 is stored as 0.333333 and is not a change next
    time)."""
    for stored, value, place in zip(old, new, places, strict=True):
        if place is not None and isinstance(value, Decimal) and value.is_finite():
            value = round_half_up(value, place)
        if value != stored:
            return True
    return False


def rescore_projects(
    project_ids: Iterable[int], *, chunk: int = 500, history: bool = True, label: str = ""
) -> RescoreStats:
    """Rescore many project-years with the engine and store the results, chunk by chunk.

    Gives the same stored values as calling `recompute` on each project (tested on the demo data);
    each chunk is one transaction, so a failure leaves earlier chunks done and the rest untouched,
    and running it again is safe. Projects without an evaluation are skipped. ``label`` names the run
    in the history's change reason.
    """
    ids = sorted(set(project_ids))
    stats = RescoreStats()
    reason = f"批量重算 {label}".strip()
    schemes: dict[int, object] = {}
    for start in range(0, len(ids), chunk):
        with transaction.atomic():
            stats.add(_rescore_chunk(ids[start : start + chunk], schemes, history, reason))
    return stats


def _rescore_chunk(ids: list[int], schemes: dict, history: bool, reason: str) -> RescoreStats:
    with collector.paused():
        stats = _rescore_chunk_unpaused(ids, schemes, history, reason)
    evaluations_rescored.send(sender=_rescore_chunk, project_ids=ids)
    return stats


def _rescore_chunk_unpaused(ids: list[int], schemes: dict, history: bool, reason: str) -> RescoreStats:
    stats = RescoreStats()
    started = time.perf_counter()
    evaluations = list(
        Evaluation.objects.filter(project_id__in=ids)
        .select_for_update()
        .order_by("project_id")
        .values_list("id", "project_id", "scheme_id", "declared_level1_weights", "project__year")
    )
    totals: dict[int, list[Decimal | None]] = {}
    for project_id, annual, executed in BudgetLine.objects.filter(project_id__in=ids).values_list(
        "project_id", "annual", "executed"
    ):
        # summed as Project.budget_totals does: None when no line has the figure
        total = totals.setdefault(project_id, [None, None])
        if annual is not None:
            total[0] = annual if total[0] is None else total[0] + annual
        if executed is not None:
            total[1] = executed if total[1] is None else total[1] + executed
    rows_of: dict[int, list[tuple]] = {}
    # the engine's inputs, then the stored score: the compact history's "before" (see `_store`)
    for row in (
        Indicator.objects.filter(project_id__in=ids)
        .order_by("project_id", "order")
        .values_list(*INPUT_FIELDS, "score")
    ):
        rows_of.setdefault(row[1], []).append(row)
    for scheme_id in {e[2] for e in evaluations} - schemes.keys():
        schemes[scheme_id] = ScoringScheme.objects.get(pk=scheme_id).engine_scheme()
    stats.read_seconds = time.perf_counter() - started

    started = time.perf_counter()
    indicator_rows: list[tuple] = []  # (id, *values, score before)
    evaluation_rows: list[tuple] = []  # (id, *values)
    no_budget = (None, None)
    for evaluation_id, project_id, scheme_id, declared, year in evaluations:
        rows = rows_of.get(project_id, ())
        annual, executed = totals.get(project_id, no_budget)
        inp = evaluation_input_from_rows(rows, annual, executed, declared, year)
        result = score_evaluation(inp, schemes[scheme_id])
        for row, ind_result in zip(rows, result.indicators, strict=True):
            indicator_rows.append((row[0], *indicator_values(ind_result), row[-1]))
        evaluation_rows.append((evaluation_id, *evaluation_values(result)))
        stats.indicators += len(rows)
    stats.projects = len(evaluations)
    stats.score_seconds = time.perf_counter() - started

    started = time.perf_counter()
    now = timezone.now()
    when = now if history else None
    stats.indicators_changed = _store(
        Indicator, SCORED_FIELDS, indicator_rows, history_at=when, reason=reason, compact=True
    )
    stats.evaluations_changed = _store(
        Evaluation,
        EVALUATION_RESULT_FIELDS,
        evaluation_rows,
        history_at=when,
        reason=reason,
        stamp={"computed_at": now, "updated_at": now},
    )
    stats.write_seconds = time.perf_counter() - started
    return stats


def _store(
    model,
    fields: list[str],
    rows: list[tuple],
    *,
    history_at,
    reason: str,
    stamp: dict | None = None,
    compact: bool = False,
) -> int:
    """Store the rows (id, *values of ``fields``) of ``model``; returns how many rows changed.

    Only rows whose stored values differ are written. With ``history_at``, each changed row gets one
    full history row — or, with ``compact`` (the indicators), is listed with its score before and
    after in its project's `ScoreChange` row (see the module docstring): then each row carries one
    more value, last, its score as read at the start of the chunk (under the evaluations' locks, so as
    the UPDATE finds it). ``stamp`` (e.g. computed_at) is written on every row, changed or not,
    without history.
    """
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "postgresql":
        return _store_postgresql(
            connection,
            model,
            fields,
            rows,
            history_at=history_at,
            reason=reason,
            stamp=stamp or {},
            compact=compact,
        )
    places = _places(model, fields)
    end = 1 + len(fields)
    stored = {}
    project_of = {}
    ids = [row[0] for row in rows]
    for start in range(0, len(ids), 500):
        selected = model.objects.filter(pk__in=ids[start : start + 500])
        for old in selected.values_list("pk", "project_id", *fields):
            project_of[old[0]] = old[1]
            stored[old[0]] = old[2:]
    changed = [row for row in rows if _differs(stored[row[0]], row[1:end], places)]
    if changed:
        objects = [model(pk=row[0], **dict(zip(fields, row[1:end], strict=True))) for row in changed]
        model.objects.bulk_update(objects, fields, batch_size=500)
    if stamp:
        for start in range(0, len(ids), 500):
            model.objects.filter(pk__in=ids[start : start + 500]).update(**stamp)
    if history_at is not None and compact:
        _insert_score_changes(changed, project_of, fields, history_at, reason)
    elif history_at is not None:
        _insert_history(model, [row[0] for row in changed], history_at, reason)
    return len(changed)


def _insert_score_changes(changed, project_of, fields, when, reason: str) -> None:
    """`_store`'s compact history outside PostgreSQL: the rows `_store_postgresql` writes (scores as
    the column prints them, changes by indicator id)."""
    at = fields.index("score")
    by_project = defaultdict(list)
    for row in sorted(changed, key=lambda row: row[0]):
        old, new = (
            None if v is None else str(stored_decimal(Indicator, "score", v)) for v in (row[-1], row[1 + at])
        )
        by_project[project_of[row[0]]].append([row[0], old, new])
    ScoreChange.objects.bulk_create(
        (
            ScoreChange(project_id=project, changed_at=when, reason=reason, changes=changes)
            for project, changes in by_project.items()
        ),
        batch_size=500,
    )


def _store_postgresql(
    connection,
    model,
    fields: list[str],
    rows: list[tuple],
    *,
    history_at,
    reason: str,
    stamp: dict,
    compact: bool,
) -> int:
    """`_store` on PostgreSQL: COPY into a temporary table, then one UPDATE of the differing rows whose
    RETURNING feeds the history INSERT (see the module docstring)."""
    table = model._meta.db_table
    columns = [model._meta.get_field(name) for name in fields]
    temp = f"_rescore_{table}"
    json_positions = [i for i, field in enumerate(columns, start=1) if isinstance(field, JSONField)]
    stamp_columns = [model._meta.get_field(name).column for name in stamp]
    with connection.cursor() as cursor:
        quote = connection.ops.quote_name
        definitions = ", ".join(f"{quote(field.column)} {field.db_type(connection)}" for field in columns)
        names = ", ".join(quote(field.column) for field in columns)
        if compact:  # the score before, carried last in each row (see `_store`)
            definitions += f", old_score {model._meta.get_field('score').db_type(connection)}"
            names += ", old_score"
        cursor.execute(
            f"create temporary table if not exists {quote(temp)} (id bigint, {definitions}) on commit drop"
        )
        cursor.execute(f"truncate {quote(temp)}")
        with cursor.copy(f"copy {quote(temp)} (id, {names}) from stdin") as copy:
            write_row = copy.write_row
            if json_positions:
                for row in rows:
                    row = list(row)
                    for i in json_positions:
                        row[i] = json_text(row[i])
                    write_row(row)
            else:
                for row in rows:
                    write_row(row)
        assignments = ", ".join(
            [f"{quote(field.column)} = t.{quote(field.column)}" for field in columns]
            + [f"{quote(column)} = %s" for column in stamp_columns]
        )
        stored = ", ".join(f"m.{quote(field.column)}" for field in columns)
        computed = ", ".join(f"t.{quote(field.column)}" for field in columns)
        update = (
            f"update {quote(table)} as m set {assignments} from {quote(temp)} as t "
            f"where m.id = t.id and ({stored}) is distinct from ({computed})"
        )
        values = list(stamp.values())
        if history_at is None:
            cursor.execute(update, values)
            changed = cursor.rowcount
        elif compact:
            cursor.execute(
                f"with changed as ({update} "
                f"returning m.project_id, m.id, t.old_score, m.score as new_score), "
                f"written as (insert into {quote(ScoreChange._meta.db_table)} "
                f"(project_id, changed_at, reason, changes) "
                f"select project_id, %s, %s, jsonb_agg(jsonb_build_array(id, old_score::text, "
                f"new_score::text) order by id) from changed group by project_id) "
                f"select count(*) from changed",
                [*values, history_at, reason],
            )
            changed = cursor.fetchone()[0]
        else:
            historical = model.history.model
            copied = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
            cursor.execute(
                f"with changed as ({update} returning m.*) "
                f"insert into {quote(historical._meta.db_table)} ({copied}, history_date, "
                f"history_change_reason, history_type, history_user_id) "
                f"select {copied}, %s, %s, %s, null from changed",
                [*values, history_at, reason, "~"],
            )
            changed = cursor.rowcount
        if stamp:
            # the unchanged rows: only the stamp moves (the changed ones already carry it)
            stamps = ", ".join(f"{quote(column)} = %s" for column in stamp_columns)
            cursor.execute(
                f"update {quote(table)} as m set {stamps} from {quote(temp)} as t "
                f"where m.id = t.id and m.{quote(stamp_columns[0])} is distinct from %s",
                [*values, values[0]],
            )
    return changed


def _insert_history(model, ids: list[int], when, reason: str) -> None:
    """One simple_history row ("~", no user, ``reason``) per id, copied from the rows as they now read."""
    insert_history(model, "id", ids, when=when, reason=reason, history_type="~")


def _rescore_worker(args: tuple[list[int], int, bool, str]) -> RescoreStats:
    ids, chunk, history, label = args
    return rescore_projects(ids, chunk=chunk, history=history, label=label)


def rescore_in_processes(
    project_ids: Iterable[int], *, workers: int = 2, chunk: int = 500, history: bool = True, label: str = ""
) -> RescoreStats:
    """`rescore_projects` spread over ``workers`` processes (the engine is pure Python: one core each).

    Chunks are handed out as they finish, so a slow chunk does not hold a whole share. Each process
    opens its own database connection (the parent's are closed before forking).
    """
    ids = sorted(set(project_ids))
    if workers <= 1 or len(ids) <= chunk:
        return rescore_projects(ids, chunk=chunk, history=history, label=label)
    connections.close_all()
    jobs = [(ids[start : start + chunk], chunk, history, label) for start in range(0, len(ids), chunk)]
    stats = RescoreStats()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for part in pool.imap_unordered(_rescore_worker, jobs):
            stats.add(part)
    return stats
