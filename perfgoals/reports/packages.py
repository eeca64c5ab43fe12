"""Writing the annual packages: every file of a department-year, and the ZIP that holds them.

File names (:func:`safe_name`, :func:`package_filename`), a department-year's files (the summary and
the report: :func:`head_files`; one 自评表 a project: :func:`form_files`), the package's ZIP written
in one piece (:func:`write_package`, :func:`build_package`) or in parts joined at the end
(:func:`package_parts`, :func:`build_package_part`, :func:`finish_package`, :func:`fail_package`).

Every function here takes ids or rows and writes; none queues work. Creating a package is
:func:`.actions.start_package`; queuing its build (and the chord of a large one) is :mod:`.tasks`.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone

from projects.models import Department, Project
from projects.scoping import visible_projects

from ..evidence.content import download_name, kind_of
from ..evidence.models import Evidence
from . import html, xlsx_forms
from .data import DepartmentYear, ProjectForm, department_year, project_form, with_form_data
from .models import PackageScope, PackageStatus, ReportPackage, style_of
from .wording import ReportText, report_text

logger = logging.getLogger(__name__)


# --- files of a department-year -------------------------------------------------------------------

SUMMARY_NAME = "01_部门预算项目绩效自评情况汇总表"
REPORT_NAME = "02_绩效评价报告"
FORMS_DIR = "自评表"
EVIDENCE_SUFFIX = "_佐证材料"
_UNSAFE = re.compile(r'[\\/:*?"<>|\r\n\t]')


def safe_name(name: str, limit: int = 60) -> str:
    """A file or folder name that every system accepts."""
    return _UNSAFE.sub("_", name).strip(" .")[:limit] or "未命名"


def head_files(
    dy: DepartmentYear, text: ReportText, stamp: datetime | None = None
) -> Iterator[tuple[str, bytes]]:
    """The department-year's own files: the summary and the report, each in its formats."""
    from . import docx_report  # python-docx is only needed when a report is written

    yield f"{SUMMARY_NAME}.xlsx", xlsx_forms.summary_workbook(dy, stamp)
    yield f"{SUMMARY_NAME}.html", html.summary_page(dy).encode()
    yield f"{REPORT_NAME}.docx", docx_report.report_document(text, stamp)
    yield f"{REPORT_NAME}.html", html.report_page(text).encode()
    for _description, make in EXTRA_HEAD_FILES:
        yield from make(dy, stamp)


#: more files of every department-year, registered by the rooms above this one when the apps are ready
#: (``goaltables``: 03_项目支出绩效目标表.xlsx), so that this room imports none of them: (what 说明.txt
#: says of it, a function (dy, stamp) → (name, bytes) …)
EXTRA_HEAD_FILES: list[
    tuple[str, Callable[[DepartmentYear, datetime | None], Iterable[tuple[str, bytes]]]]
] = []


@dataclass(frozen=True)
class StoredFile:
    """A file of the storage to copy into the ZIP as it is (streamed, never whole in memory)."""

    name: str

    def open(self):
        return default_storage.open(self.name, "rb")


def form_files(
    form: ProjectForm, index: int, width: int, stamp: datetime | None = None
) -> Iterator[tuple[str, bytes | StoredFile]]:
    """One project's 自评表 in its formats, numbered ``index`` (zero-padded to ``width``), then its
    佐证材料 (the files not removed) in a folder beside it."""
    stem = f"{FORMS_DIR}/{index:0{width}d}_{safe_name(form.name)}"
    yield f"{stem}.xlsx", xlsx_forms.form_workbook(form, stamp)
    yield f"{stem}.html", html.form_page(form).encode()
    yield from evidence_files(form.project_id, f"{stem}{EVIDENCE_SUFFIX}")


def evidence_files(project_id: int, folder: str) -> Iterator[tuple[str, StoredFile]]:
    """The project's evidence as ``folder``/NN_name (numbered: two files may share a name; each with
    the extension of what it is)."""
    files = (
        Evidence.objects.active()
        .of_results()
        .filter(project_id=project_id)
        .order_by("indicator__order", "uploaded_at", "pk")
        .values_list("file", "original_name", "content_type")
    )
    for number, (name, original, content_type) in enumerate(files, start=1):
        kind = kind_of(content_type)
        shown = download_name(original, kind) if kind else original
        stem, dot, suffix = shown.rpartition(".")
        shown = f"{safe_name(stem, 50)}.{safe_name(suffix, 10)}" if dot and stem else safe_name(shown)
        yield f"{folder}/{number:02d}_{shown}", StoredFile(name)


def _write_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes | StoredFile) -> None:
    if isinstance(data, StoredFile):
        with data.open() as source, archive.open(info, "w", force_zip64=True) as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
    else:
        archive.writestr(info, data)


def _form_width(count: int) -> int:
    return max(2, len(str(count)))


def department_files(
    dy: DepartmentYear,
    text: ReportText,
    stamp: datetime | None = None,
    on_form: Callable[[], None] | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Every file of a department-year as (relative path, bytes): summary, report, one form per
    project, each in its formats. ``on_form`` is called after each form (progress)."""
    yield from head_files(dy, text, stamp)
    width = _form_width(len(dy.forms))
    for index, form in enumerate(dy.forms, start=1):
        yield from form_files(form, index, width, stamp)
        if on_form:
            on_form()


def group_department_years(projects: Iterable[Project]) -> list[tuple[Department, int, list[Project]]]:
    """Projects grouped by department and year, in the order given."""
    groups: dict[tuple[int, int], tuple[Department, int, list[Project]]] = {}
    for project in projects:
        department = project.unit.department
        key = (department.pk, project.year)
        groups.setdefault(key, (department, project.year, []))[2].append(project)
    return list(groups.values())


# --- packages -------------------------------------------------------------------------------------


def package_projects(package: ReportPackage):
    """The package's projects as its creator may see them, grouped in print order."""
    projects = visible_projects(package.created_by)
    if package.scope == PackageScope.DEPARTMENT:
        projects = projects.filter(department_id=package.department_id)
    elif package.region_id is not None:
        projects = projects.filter(region_id=package.region_id)
    if package.year is not None:
        projects = projects.filter(year=package.year)
    return with_form_data(projects).order_by("region__name", "department__name", "year", "pk")


def package_filename(package: ReportPackage) -> str:
    year = f"{package.year}年度" if package.year else "全部年度"
    if package.scope == PackageScope.DEPARTMENT:
        where = package.department.name
    else:
        where = package.region.name if package.region_id else "全部地区"
    return safe_name(f"{where}_{year}_绩效自评材料")


def _zip_date(stamp: datetime) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(stamp) if timezone.is_aware(stamp) else stamp
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)


def _folder(package: ReportPackage, department: Department, year: int) -> str:
    year_dir = f"{year}年度"
    if package.scope == PackageScope.DEPARTMENT:
        return year_dir
    if package.region_id is not None:
        return f"{safe_name(department.name)}/{year_dir}"
    return f"{safe_name(department.region.name)}/{safe_name(department.name)}/{year_dir}"


def _readme(package: ReportPackage, stamp: datetime, entries: list[str], notes: list[str]) -> str:
    local = timezone.localtime(stamp) if timezone.is_aware(stamp) else stamp
    lines = [
        f"绩效自评材料：{package.label}",
        f"生成时间：{local:%Y-%m-%d %H:%M}",
        "",
        "每个部门、每个年度一个文件夹，内含：",
        f"  {SUMMARY_NAME}（.xlsx 与打印用 .html）",
        f"  {REPORT_NAME}（.docx 与 .html）",
        *[f"  {description}" for description, _make in EXTRA_HEAD_FILES],
        f"  {FORMS_DIR}/ 每个项目的项目支出绩效自评表（.xlsx 与打印用 .html），"
        f"有佐证材料的项目另有“…{EVIDENCE_SUFFIX}”文件夹",
        "",
    ]
    if notes:
        lines += ["请注意：", *[f"  {note}" for note in notes], ""]
    lines += ["文件清单：", *[f"  {entry}" for entry in entries]]
    return "\n".join(lines) + "\n"


def _department_notes(department: Department, year: int, dy: DepartmentYear, text: ReportText) -> list[str]:
    notes = []
    if dy.incomplete:
        notes.append(f"{department.name} {year} 年度：{len(dy.incomplete)} 个项目尚未完成评分。")
    if not text.is_final:
        notes.append(f"{department.name} {year} 年度：绩效评价报告尚未定稿。")
    return notes


def _zip_info(path: str, date_time) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_package(package: ReportPackage, target, on_progress: Callable[[int], None] | None = None) -> int:
    """Write the package's ZIP to ``target`` (a path or binary file); returns the number of projects.

    Reproducible: entries carry the package's creation time and the documents inside are stamped
    with it, so building the same data twice gives the same bytes.
    """
    stamp = package.created_at
    date_time = _zip_date(stamp)
    root = package_filename(package)
    groups = group_department_years(package_projects(package))
    project_count = sum(len(projects) for _d, _y, projects in groups)
    steps = max(project_count + len(groups) + 1, 1)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if on_progress:
            on_progress(min(99, done * 100 // steps))

    entries: list[str] = []
    notes: list[str] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(path: str, data: bytes | StoredFile) -> None:
            _write_entry(archive, _zip_info(path, date_time), data)
            entries.append(path.removeprefix(f"{root}/"))

        for department, year, projects in groups:
            dy = department_year(department, year, projects)
            text = report_text(dy)
            folder = f"{root}/{_folder(package, department, year)}"
            notes += _department_notes(department, year, dy, text)
            for path, data in department_files(dy, text, stamp, on_form=step):
                add(f"{folder}/{path}", data)
            step()
        if not groups:
            notes.append("所选范围内没有项目。")
        add(f"{root}/说明.txt", _readme(package, stamp, list(entries), notes).encode("utf-8"))
    if on_progress:
        on_progress(99)
    return project_count


def build_package(
    package_id: int, queue_parts: Callable[[ReportPackage, list[dict]], None] | None = None
) -> dict:
    """Build a package's ZIP and record it; the Celery task ``reports.build_package`` calls this.

    Safe to run twice: a finished package with its file in storage is returned as it is; anything
    else is (re)built from the data into the same storage name, replacing a partial file.

    A package of more than one part (``REPORT_PACKAGE_PART_SIZE``) is handed to ``queue_parts``,
    which queues a task a part and the join (:mod:`.tasks` does: only it queues work). Without
    ``queue_parts`` the package is written here in one piece, which gives the same ZIP.
    """
    package = (
        ReportPackage.objects.select_related("department__region", "region", "created_by")
        .filter(pk=package_id)
        .first()
    )
    if package is None:
        return {"package_id": package_id, "status": "missing"}
    if package.status == PackageStatus.DONE and package.file and default_storage.exists(package.file.name):
        return {"package_id": package.pk, "status": package.status, "file": package.file.name}

    ReportPackage.objects.filter(pk=package.pk).update(
        status=PackageStatus.RUNNING,
        progress=0,
        error="",
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        finished_at=None,
        project_count=package_projects(package).count(),
    )
    parts = package_parts(package, settings.REPORT_PACKAGE_PART_SIZE) if queue_parts else []
    for part in parts:
        part["build"] = package.build  # a part of an older build, delivered late, is ignored
    if len(parts) > 1:
        # a large package: one task a part, spread over the workers, then one task joins them
        queue_parts(package, parts)
        package.refresh_from_db(fields=["status", "file"])  # done already when tasks run in-process
        return {
            "package_id": package.pk,
            "status": package.status,
            "parts": len(parts),
            **({"file": package.file.name} if package.file else {}),
        }
    last = {"value": -1}

    def progress(value: int) -> None:
        if value != last["value"]:
            last["value"] = value
            ReportPackage.objects.filter(pk=package.pk).update(progress=value, heartbeat_at=timezone.now())

    try:
        with tempfile.TemporaryFile() as handle:
            count = write_package(package, handle, progress)
            handle.seek(0)
            name = f"reports/packages/{package.pk}/{package_filename(package)}.zip"
            if default_storage.exists(name):
                default_storage.delete(name)
            stored = default_storage.save(name, File(handle, name=name))
    except Exception as exc:  # the page must show what went wrong instead of a package stuck at 37 %
        logger.exception("report package %s failed", package.pk)
        ReportPackage.objects.filter(pk=package.pk).update(
            status=PackageStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return {"package_id": package.pk, "status": PackageStatus.FAILED}
    ReportPackage.objects.filter(pk=package.pk).update(
        status=PackageStatus.DONE, progress=100, file=stored, project_count=count, finished_at=timezone.now()
    )
    return {"package_id": package.pk, "status": PackageStatus.DONE, "file": stored}


# --- large packages: parts built in parallel, joined by a final task ----------------------------------
#
# A region's package (1,000 projects and more) is split into parts of at most
# REPORT_PACKAGE_PART_SIZE projects of one department-year; the first part of each department-year
# also writes its summary and report. Each part is a Celery task writing a small ZIP to storage; the
# last task copies their entries, in print order, into the package's ZIP one entry at a time (streamed:
# no part and no package is ever held in memory whole) and removes the parts. The result holds the
# same entries, names and 说明.txt as the one-task build.


def package_parts(package: ReportPackage, part_size: int) -> list[dict]:
    """The parts of a package, in print order: department, year, project ids, numbering, head or not."""
    rows = package_projects(package).prefetch_related(None).values_list("pk", "department_id", "year")
    groups: dict[tuple[int, int], list[int]] = {}
    for pk, department_id, year in rows:
        groups.setdefault((department_id, year), []).append(pk)
    parts = []
    for (department_id, year), ids in groups.items():
        width = _form_width(len(ids))
        for start in range(0, len(ids), max(1, part_size)):
            parts.append(
                {
                    "department_id": department_id,
                    "year": year,
                    "project_ids": ids[start : start + part_size],
                    "start": start + 1,
                    "width": width,
                    "head": start == 0,
                }
            )
    return parts


def _part_name(package: ReportPackage, index: int) -> str:
    return f"reports/packages/{package.pk}/parts/{package.build}/{index:05d}.zip"


def _older_build(package: ReportPackage, build: int | None) -> bool:
    """A part or a join of a build the package has been rebuilt since (a late redelivery)."""
    return build is not None and build != package.build


def build_package_part(package_id: int, index: int, part: dict) -> dict:
    """Write one part's files to a ZIP in storage; returns its storage name, entries and notes (and
    nothing, ``stale``, for a part of an older build)."""
    package = ReportPackage.objects.select_related("department__region", "region", "created_by").get(
        pk=package_id
    )
    if _older_build(package, part.get("build")):
        logger.warning("report package %s: part %s of build %s ignored", package_id, index, part.get("build"))
        return {"file": None, "entries": [], "notes": [], "stale": True, "build": part.get("build")}
    stamp = package.created_at
    date_time = _zip_date(stamp)
    root = package_filename(package)
    department = Department.objects.select_related("region").get(pk=part["department_id"])
    folder = f"{root}/{_folder(package, department, part['year'])}"
    scoped = package_projects(package).filter(department_id=department.pk, year=part["year"])
    entries: list[str] = []
    notes: list[str] = []
    with tempfile.TemporaryFile() as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:

            def add(path: str, data: bytes | StoredFile) -> None:
                _write_entry(archive, _zip_info(f"{folder}/{path}", date_time), data)
                entries.append(f"{folder}/{path}".removeprefix(f"{root}/"))

            if part["head"]:
                dy = department_year(department, part["year"], scoped)
                text = report_text(dy)
                notes += _department_notes(department, part["year"], dy, text)
                for path, data in head_files(dy, text, stamp):
                    add(path, data)
                forms: Iterable[ProjectForm] = dy.forms[: len(part["project_ids"])]
            else:
                style = style_of(department.region_id)
                forms = (
                    project_form(project, style, part["start"] + offset)
                    for offset, project in enumerate(scoped.filter(pk__in=part["project_ids"]))
                )
            for offset, form in enumerate(forms):
                for path, data in form_files(form, part["start"] + offset, part["width"], stamp):
                    add(path, data)
        handle.seek(0)
        name = _part_name(package, index)
        if default_storage.exists(name):
            default_storage.delete(name)
        stored = default_storage.save(name, File(handle, name=name))
    ReportPackage.objects.filter(pk=package.pk).update(heartbeat_at=timezone.now())
    ReportPackage.objects.filter(pk=package.pk, progress__lt=98).update(
        progress=Least(
            F("progress") + max(1, 98 * len(part["project_ids"]) // max(package.project_count or 1, 1)), 98
        )
    )
    return {"file": stored, "entries": entries, "notes": notes, "build": part.get("build")}


def finish_package(parts: list[dict], package_id: int) -> dict:
    """Join the parts (in order) into the package's ZIP, add 说明.txt, store it and mark it done."""
    package = ReportPackage.objects.select_related("department__region", "region", "created_by").get(
        pk=package_id
    )
    if any(part.get("stale") or _older_build(package, part.get("build")) for part in parts):
        logger.warning("report package %s: join of an older build ignored", package_id)
        return {"package_id": package.pk, "status": "ignored"}
    stamp = package.created_at
    date_time = _zip_date(stamp)
    root = package_filename(package)
    entries = [entry for part in parts for entry in part["entries"]]
    notes = [note for part in parts for note in part["notes"]]
    try:
        with tempfile.TemporaryFile() as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for part in parts:
                    with default_storage.open(part["file"], "rb") as source, zipfile.ZipFile(source) as piece:
                        for info in piece.infolist():
                            with (
                                piece.open(info) as reader,
                                archive.open(_zip_info(info.filename, date_time), "w") as writer,
                            ):
                                shutil.copyfileobj(reader, writer, 1 << 20)
                archive.writestr(
                    _zip_info(f"{root}/说明.txt", date_time),
                    _readme(package, stamp, entries, notes).encode("utf-8"),
                )
            handle.seek(0)
            name = f"reports/packages/{package.pk}/{root}.zip"
            if default_storage.exists(name):
                default_storage.delete(name)
            stored = default_storage.save(name, File(handle, name=name))
    except Exception as exc:
        logger.exception("report package %s failed", package.pk)
        ReportPackage.objects.filter(pk=package.pk).update(
            status=PackageStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return {"package_id": package.pk, "status": PackageStatus.FAILED}
    for part in parts:
        default_storage.delete(part["file"])
    ReportPackage.objects.filter(pk=package.pk).update(
        status=PackageStatus.DONE,
        progress=100,
        file=stored,
        finished_at=timezone.now(),
        project_count=sum(
            1 for entry in entries if entry.endswith(".xlsx") and f"/{FORMS_DIR}/" in f"/{entry}"
        ),
    )
    return {"package_id": package.pk, "status": PackageStatus.DONE, "file": stored}


def fail_package(package_id: int, exc: BaseException, build: int | None = None) -> None:
    """Record a part's failure on the package (the join then never runs); a part of an older
    ``build`` fails nothing (the package has been rebuilt since, maybe finished)."""
    logger.error("report package %s: a part failed: %s", package_id, exc)
    packages = ReportPackage.objects.filter(pk=package_id)
    if build is not None:
        packages = packages.filter(build=build)
    packages.update(
        status=PackageStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
    )
