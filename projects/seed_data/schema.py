"""Read and check the seed fixtures (see FORMAT.md). Pure Python: no Django import.

`load_all()` returns every seed document as plain dicts; `check_document()` lists what is wrong
with one (missing keys, money that is not a decimal string, totals that disagree with what the
document states, text that does not occur in the seed file). Run it from the shell while
transcribing:

    python -m projects.seed_data.schema            # checks every file, prints problems
"""

from __future__ import annotations

import json
import os
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: where the original documents live: PERFEVAL_SEEDS_DIR (the setting of the same name reads the same
#: variable), else the shared folder beside the checkout
SEEDS_DIR = Path(os.environ.get("PERFEVAL_SEEDS_DIR", "").strip() or HERE.parents[2] / "shared" / "seeds")

DOCUMENT_KEYS = {
    "source",
    "document",
    "region",
    "finance_bureau",
    "department",
    "year",
    "form",
    "vocabulary",
    "stated_totals",
    "summary_table",
    "projects",
}
PROJECT_KEYS = {
    "name",
    "unit",
    "project_type",
    "contact_phone",
    "long_term_goal",
    "goal_text",
    "goal_result_text",
    "start_date",
    "end_date",
    "legal_basis",
    "government_procurement",
    "procurement_amount",
    "total_budget",
    "budget_lines",
    "budget_total_printed",
    "execution",
    "level1_weights",
    "printed_total",
    "low_score_explanation",
    "empty_level2",
    "indicators",
}
#: keys a project may leave out (absent = "", the form prints nothing of it)
OPTIONAL_PROJECT_KEYS = {"fund_user", "summary_name"}
#: keys a document may leave out: the region's printed style of the self-evaluation outputs
OPTIONAL_DOCUMENT_KEYS = {"report_style"}
#: the keys of "report_style" (see perfgoals.reports.style.Style)
REPORT_STYLE_KEYS = {
    "form_title": str,
    "attachment_numbers": bool,
    "total_row_grade": bool,
    "scores": str,
    "empty_category_text": str,
    "blank_undeclared_level1": bool,
    "sections": list,
}
INDICATOR_KEYS = {
    "level1",
    "level2",
    "name",
    "nature",
    "target",
    "unit",
    "actual",
    "weight",
    "printed_score",
    "band",
    "deviation_note",
}
BUDGET_SOURCES = {"current_year", "carryover", "other"}
NATURES = {None, "≥", "≤", "＝", "=", "定性"}
_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """Text with every whitespace character removed, for comparing against the PDF extraction."""
    return _WS.sub("", text or "")


def occurs(text: str, seed: str, *, pieces: int = 3, window: int = 400) -> bool:
    """Whether `text` (whitespace removed) stands in the squashed seed.

    The PDF extraction sometimes interleaves one table cell with its neighbours (a name whose last
    words come after the next column's value). Such a text still counts as printed when it can be cut
    into at most `pieces` consecutive parts that occur in order, each within `window` characters of
    the previous one.
    """
    text = squash(text)
    if not text or text in seed:
        return True
    return _occurs_split(text, seed, 0, pieces, window, first=True)


def _occurs_split(text: str, seed: str, start: int, pieces: int, window: int, first: bool) -> bool:
    if not text:
        return True
    if pieces == 0:
        return False
    end_limit = len(seed) if first else min(len(seed), start + window + len(text))
    for cut in range(len(text), 1, -1):
        piece = text[:cut]
        pos = seed.find(piece, start, end_limit if not first else len(seed))
        while pos != -1:
            if _occurs_split(text[cut:], seed, pos + cut, pieces - 1, window, first=False):
                return True
            if not first:
                break
            pos = seed.find(piece, pos + 1)
    return False


def fixture_files() -> list[Path]:
    return sorted(HERE.glob("[0-9][0-9][0-9]_*.json"))


def load(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def load_all() -> list[dict]:
    return [load(p) for p in fixture_files()]


def money(value) -> Decimal | None:
    """A money string as Decimal; None stays None. Raises ValueError for anything else."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"金额必须写成字符串：{value!r}")
    try:
        return Decimal(value.replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"金额无法读取：{value!r}") from exc


def project_budget(project: dict) -> Decimal:
    """The project's budgeted amount: the sum of 全年预算数 over its fund lines."""
    return sum((money(line["annual"]) or Decimal(0) for line in project["budget_lines"]), Decimal(0))


def check_document(doc: dict, seed_text: str | None = None) -> list[str]:
    """Everything wrong with one seed document, as readable sentences (empty when it is fine)."""
    problems: list[str] = []
    missing = DOCUMENT_KEYS - doc.keys()
    if missing:
        problems.append(f"document lacks {sorted(missing)}")
    style = doc.get("report_style")
    if style is not None:
        if not isinstance(style, dict):
            problems.append(f"report_style must be an object, not {style!r}")
        else:
            for key, value in style.items():
                if key not in REPORT_STYLE_KEYS:
                    problems.append(f"report_style: unknown key {key!r}")
                elif not isinstance(value, REPORT_STYLE_KEYS[key]):
                    problems.append(f"report_style: {key} must be {REPORT_STYLE_KEYS[key].__name__}")
            if (
                seed_text is not None
                and style.get("form_title")
                and not occurs(style["form_title"], squash(seed_text))
            ):
                problems.append(
                    f"report_style: form_title {style['form_title']!r} does not occur in the seed"
                )
    seed = squash(seed_text) if seed_text is not None else None
    for p_index, project in enumerate(doc.get("projects", [])):
        where = f"project {p_index} {project.get('name')!r}"
        missing = PROJECT_KEYS - project.keys()
        extra = project.keys() - PROJECT_KEYS - OPTIONAL_PROJECT_KEYS
        if missing:
            problems.append(f"{where}: lacks {sorted(missing)}")
        if extra:
            problems.append(f"{where}: unknown keys {sorted(extra)}")
        for line in project.get("budget_lines", []):
            if line.get("source") not in BUDGET_SOURCES:
                problems.append(f"{where}: budget source {line.get('source')!r}")
            for key in ("initial", "annual", "executed"):
                try:
                    money(line.get(key))
                except ValueError as exc:
                    problems.append(f"{where}: {exc}")
        for i_index, ind in enumerate(project.get("indicators", [])):
            iwhere = f"{where} indicator {i_index} {ind.get('name')!r}"
            missing = INDICATOR_KEYS - ind.keys()
            extra = ind.keys() - INDICATOR_KEYS
            if missing:
                problems.append(f"{iwhere}: lacks {sorted(missing)}")
            if extra:
                problems.append(f"{iwhere}: unknown keys {sorted(extra)}")
            if ind.get("nature") not in NATURES:
                problems.append(f"{iwhere}: nature {ind.get('nature')!r}")
            for key in ("weight", "printed_score"):
                try:
                    money(ind.get(key))
                except ValueError as exc:
                    problems.append(f"{iwhere}: {exc}")
            if seed is not None:
                for key in ("name", "target", "actual"):
                    text = ind.get(key)
                    if text and not occurs(text, seed):
                        problems.append(f"{iwhere}: {key} {text!r} does not occur in the seed")
        if seed is not None and not occurs(project.get("name", ""), seed):
            problems.append(f"{where}: name does not occur in the seed")
        fund_user = project.get("fund_user")
        if fund_user is not None and not isinstance(fund_user, str):
            problems.append(f"{where}: fund_user must be a string, not {fund_user!r}")
        elif fund_user:
            # the summary table prints it, one row a project in the forms' order
            rows = doc.get("summary_table") or []
            if p_index < len(rows) and rows[p_index].get("unit") != fund_user:
                problems.append(
                    f"{where}: fund_user {fund_user!r} differs from the summary table's "
                    f"{rows[p_index].get('unit')!r}"
                )
            if seed is not None and not occurs(fund_user, seed):
                problems.append(f"{where}: fund_user {fund_user!r} does not occur in the seed")
        summary_name = project.get("summary_name")
        if summary_name is not None and not isinstance(summary_name, str):
            problems.append(f"{where}: summary_name must be a string, not {summary_name!r}")
        elif summary_name:
            # the summary table prints it, one row a project in the forms' order
            rows = doc.get("summary_table") or []
            if p_index < len(rows) and rows[p_index].get("name") != summary_name:
                problems.append(
                    f"{where}: summary_name {summary_name!r} differs from the summary table's "
                    f"{rows[p_index].get('name')!r}"
                )
            if summary_name == project.get("name"):
                problems.append(f"{where}: summary_name repeats the name (leave it out)")
            if seed is not None and not occurs(summary_name, seed):
                problems.append(f"{where}: summary_name {summary_name!r} does not occur in the seed")
    stated = doc.get("stated_totals") or {}
    projects = doc.get("projects", [])
    if stated.get("projects") is not None and stated["projects"] != len(projects):
        problems.append(f"document states {stated['projects']} projects, fixture has {len(projects)}")
    if stated.get("amount") is not None:
        total = sum((project_budget(p) for p in projects), Decimal(0))
        if total != money(stated["amount"]):
            problems.append(f"document states {stated['amount']} 万元, fixture budgets add up to {total}")
    return problems


def seed_text_for(doc: dict) -> str | None:
    path = SEEDS_DIR / doc["source"]
    return path.read_text(encoding="utf-8") if path.exists() else None


def main() -> int:
    bad = 0
    for path in fixture_files():
        doc = load(path)
        problems = check_document(doc, seed_text_for(doc))
        status = "ok" if not problems else f"{len(problems)} problem(s)"
        print(f"{path.name}: {len(doc.get('projects', []))} projects, {status}")
        for problem in problems:
            print("   ", problem)
        bad += bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
