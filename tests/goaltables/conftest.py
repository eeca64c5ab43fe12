"""Fixtures of the goal-table tests: the seed fixtures and seed texts, and a reader of the produced
workbooks that resolves merged cells the way a person reads the printed table."""

from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from projects.seed_data import schema
from tests.web.conftest import client_of, user_of  # noqa: F401
from tests.web.test_browser_phone import phone_page  # noqa: F401

if os.environ.get("SEEDS_DIR"):  # a worktree elsewhere than beside ../shared: where the seeds are
    schema.SEEDS_DIR = Path(os.environ["SEEDS_DIR"])

#: seed key → (department, year) of the seed's goal tables
SEED_DEPARTMENTS = {
    "000": ("烟台市医疗保障局", 2021),
    "002": ("青海省医疗保障局", 2021),
    "003": ("招远市医疗保障局", 2023),
    "004": ("威海市环翠区医疗保障局", 2020),
}
DOCS = {doc["source"][:3]: doc for doc in schema.load_all()}


def seed_text(key: str) -> str | None:
    text = schema.seed_text_for(DOCS[key])
    return None if text is None else schema.squash(text)


needs_seeds = pytest.mark.skipif(
    not schema.SEEDS_DIR.exists(), reason="../shared/seeds 不在本检出旁边：无法与原文比对"
)


class Sheet:
    """A worksheet read as printed: ``value(row, col)`` gives a merged range's text in every cell it
    covers; rows and columns count from 1 as in Excel."""

    def __init__(self, ws):
        self.ws = ws
        self.ranges = list(ws.merged_cells.ranges)
        self.cover: dict[tuple[int, int], tuple[int, int]] = {}
        for merged in self.ranges:
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    self.cover[(r, c)] = (merged.min_row, merged.min_col)

    def cell(self, row: int, col: int):
        return self.ws.cell(*self.cover.get((row, col), (row, col)))

    def value(self, row: int, col: int):
        value = self.cell(row, col).value
        return "" if value is None else value

    def merged(self, row: int, col: int) -> str | None:
        """The merged range (A1:B2) starting at the cell, or None."""
        for merged in self.ranges:
            if (merged.min_row, merged.min_col) == (row, col):
                return merged.coord
        return None

    def find(self, text: str, col: int | None = None) -> list[int]:
        """Rows whose cell (in ``col``, or any) holds exactly ``text`` as its own (not a covered) cell."""
        rows = []
        for row in self.ws.iter_rows():
            for cell in row:
                if cell.value == text and (col is None or cell.column == col):
                    rows.append(cell.row)
        return rows

    def texts(self) -> list[str]:
        return [c.value for row in self.ws.iter_rows() for c in row if isinstance(c.value, str) and c.value]


def open_book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture
def export(demo, tmp_path):
    """Run export_goals for a seed's department; returns the workbook."""

    def run(key: str, variant: str = "", **options):
        department, year = SEED_DEPARTMENTS[key]
        out = tmp_path / f"{key}{variant}"
        call_command(
            "export_goals",
            department=department,
            year=year,
            out=str(out),
            variant=variant,
            skip_checks=True,
            **options,
        )
        files = list(out.glob("*.xlsx"))
        assert len(files) == 1, files
        return open_book(files[0].read_bytes()), files[0]

    return run
