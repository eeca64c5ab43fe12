"""The workflows of the intake app in one namespace, for callers outside the app.

Each workflow lives in a module of its own; this module only re-exports their public names, so that
the callers — the views, the tasks, the management commands, the project's own views, the tests —
say ``services.plan_import`` and need not know which module holds what. The workflow modules import
each other directly, never this module.

* ``actors`` — who an import or rollover acts for (:class:`Actor`, :func:`can_import`).
* ``planning`` — :func:`plan_import`: read a workbook and work out what importing it would do,
  writing nothing (``indicators``: what the engine makes of one row).
* ``importing`` — :func:`apply_plan`: write a plan in one transaction, all or nothing;
  :func:`import_workbook` plans and applies in one call.
* ``batches`` — the web workflow (upload, preview, confirm, import) and :func:`clean_uploads`.
* ``rollover`` — the year rollover and the targets relative to last year.
* ``library`` — the indicator library.
* ``template`` — :func:`export_queryset`, the projects a user may export.

Nothing here queues a task: the callers do, through ``tasks`` (which this module must not import).
"""

from __future__ import annotations

from projects.scoping import regions_of

from .actors import Actor, can_import, history_user
from .batches import (
    DEFAULT_ASYNC_BYTES,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_STALE_MINUTES,
    PREVIEW_PAGE,
    BatchImport,
    CleanupReport,
    async_threshold,
    batches_for,
    build_preview,
    cancel_batch,
    clean_uploads,
    confirm_batch,
    create_batch,
    expired_batches,
    in_background,
    is_stale,
    remove_upload,
    retention_days,
    retry_batch,
    run_batch_import,
    stale_batches,
    stale_minutes,
)
from .importing import ApplyReport, ImportRefused, apply_plan, import_workbook
from .indicators import PlannedIndicator
from .library import (
    LIBRARY_STATUSES,
    LibraryReport,
    build_library,
    display_name,
    library_for,
    name_key,
    suggest,
    suggestion_dict,
    update_library,
)
from .planning import Plan, PlannedProject, plan_import
from .rollover import (
    ComparedIndicator,
    RolloverReport,
    apply_suggestion,
    compare_with_last_year,
    relative_suggestion,
    rollover,
    rollover_sources,
)
from .template import export_queryset

__all__ = [
    "DEFAULT_ASYNC_BYTES",
    "DEFAULT_RETENTION_DAYS",
    "DEFAULT_STALE_MINUTES",
    "LIBRARY_STATUSES",
    "PREVIEW_PAGE",
    "Actor",
    "ApplyReport",
    "BatchImport",
    "CleanupReport",
    "ComparedIndicator",
    "ImportRefused",
    "LibraryReport",
    "Plan",
    "PlannedIndicator",
    "PlannedProject",
    "RolloverReport",
    "apply_plan",
    "apply_suggestion",
    "async_threshold",
    "batches_for",
    "build_library",
    "build_preview",
    "can_import",
    "cancel_batch",
    "clean_uploads",
    "compare_with_last_year",
    "update_library",
    "confirm_batch",
    "create_batch",
    "display_name",
    "expired_batches",
    "export_queryset",
    "history_user",
    "import_workbook",
    "in_background",
    "is_stale",
    "name_key",
    "plan_import",
    "regions_of",
    "relative_suggestion",
    "remove_upload",
    "retention_days",
    "retry_batch",
    "rollover",
    "rollover_sources",
    "run_batch_import",
    "stale_batches",
    "stale_minutes",
    "library_for",
    "suggest",
    "suggestion_dict",
]
