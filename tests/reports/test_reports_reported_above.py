"""The 自评表 export shows a reported score above the computed one (#12) without changing the printed
form: a comment on the 得分 cell and a 核对 sheet after the forms; the seed's forms stay as printed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import open_xlsx
from django.urls import reverse

from perfgoals.models import Evaluation, Indicator
from perfgoals.reports import xlsx_forms
from perfgoals.reports.data import department_projects, department_year, project_form, with_form_data
from projects.models import Project

pytestmark = pytest.mark.django_db


def cells(ws) -> list[tuple]:
    """Every value, merge and row height of a sheet: what prints."""
    values = [tuple(cell.value for cell in row) for row in ws.iter_rows()]
    merges = sorted(str(r) for r in ws.merged_cells.ranges)
    heights = {k: v.height for k, v in ws.row_dimensions.items()}
    return [values, merges, heights, ws.print_area]


def form_of(project_id: int):
    return project_form(with_form_data(Project.objects.filter(pk=project_id)).get())


def score_row(ws, name: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 4).value == name)


def test_the_seed_forms_report_no_score_above_the_computed_one_and_print_as_before(dy2019):
    # the seed's printed scores are the computed ones: nothing to show, no 核对 sheet
    assert not any(form.reported_above_rows or form.reported_total_above for form in dy2019.forms)
    book = open_xlsx(xlsx_forms.form_workbook(dy2019.forms))
    assert xlsx_forms.CHECK_SHEET not in book.sheetnames
    assert all(not cell.comment for ws in book.worksheets for row in ws.iter_rows() for cell in row)


def test_a_reported_score_above_the_computed_one_is_a_comment_and_a_check_line(dy2019, yantai):
    form = dy2019.forms[0]
    plain = open_xlsx(xlsx_forms.form_workbook(form)).active
    item = next(row for row in form.rows if row.score is not None and row.weight)
    target = Indicator.objects.get(project_id=form.project_id, name=item.name)
    Indicator.objects.filter(pk=target.pk).update(reported_score=item.score + Decimal("8.2"))
    below = next(row for row in form.rows if row.name != item.name and row.score)
    Indicator.objects.filter(project_id=form.project_id, name=below.name).update(reported_score=Decimal(0))
    Evaluation.objects.filter(project_id=form.project_id).update(
        submitted_total=None, printed_total=form.total + Decimal(3)
    )

    inflated = form_of(form.project_id)
    assert [row.name for row in inflated.reported_above_rows] == [item.name]
    assert inflated.reported_total_above == Decimal(3)
    book = open_xlsx(xlsx_forms.form_workbook(inflated))
    ws = book.worksheets[0]
    # the printed form is cell for cell what it was: the gap is in comments, which do not print
    assert cells(ws) == cells(plain)
    row = score_row(ws, item.name)
    reported = item.score + Decimal("8.2")
    assert ws.cell(row, 8).comment.text == f"自报 {reported:.2f}，高于计算 {item.score:.2f}（高出 8.20）"
    assert ws.cell(score_row(ws, below.name), 8).comment is None  # reported below: no comment
    total_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
    total = form.total
    assert (
        ws.cell(total_row, 8).comment.text == f"总分自报 {total + 3:.2f}，高于计算 {total:.2f}（高出 3.00）"
    )

    # the 核对 sheet after the form: one line per gap, figures as numbers
    assert book.sheetnames == [ws.title, xlsx_forms.CHECK_SHEET]
    check = book[xlsx_forms.CHECK_SHEET]
    assert [c.value for c in check[3]] == [heading for heading, _w in xlsx_forms.CHECK_COLUMNS]
    lines = [[c.value for c in row] for row in check.iter_rows(min_row=4) if row[0].value]
    assert [(line[0], line[1]) for line in lines] == [(form.name, item.name), (form.name, "总分")]
    assert Decimal(str(lines[0][2])) == reported and Decimal(str(lines[0][3])) == item.score
    assert Decimal(str(lines[0][4])) == Decimal("8.2") and Decimal(str(lines[1][4])) == Decimal(3)

    # the department's workbook of every form: one 核对 sheet at the end, the forms first as before
    department = department_year(yantai, 2019, department_projects(Project.objects.all(), yantai, 2019))
    many = open_xlsx(xlsx_forms.form_workbook(department.forms))
    assert many.sheetnames[-1] == xlsx_forms.CHECK_SHEET
    assert len(many.sheetnames) == len(department.forms) + 1


def test_the_print_marks_the_gap_and_lists_it_after_the_form(dy2019, client, user):
    """The HTML print (screen and paper): a mark ※n beside each 得分 reported above the computed one
    and the total's, and a 核对 list after the form with the same words as the xlsx; nothing of it for
    a form without a gap."""
    form = dy2019.forms[0]
    url = reverse("reports:form_print", args=[form.project_id])
    client.force_login(user("shenhe_yantai"))
    plain = client.get(url).content.decode()
    assert "reported-above-check" not in plain and "check-mark" not in plain

    item = next(row for row in form.rows if row.score is not None and row.weight)
    Indicator.objects.filter(project_id=form.project_id, name=item.name).update(
        reported_score=item.score + Decimal("8.2")
    )
    Evaluation.objects.filter(project_id=form.project_id).update(
        submitted_total=None, printed_total=form.total + Decimal(3)
    )
    inflated = form_of(form.project_id)
    assert [(line.mark, line.name) for line in inflated.reported_above_lines] == [(1, item.name), (2, "总分")]
    assert inflated.reported_above_mark(inflated.reported_above_rows[0]) == 1
    assert inflated.reported_above_mark(None) == 2
    page = client.get(url).content.decode()
    check = page[page.index('data-testid="reported-above-check"') :]
    reported = item.score + Decimal("8.2")
    assert f"※1</span> {item.name}：自报 {reported:.2f}，高于计算 {item.score:.2f}（高出 8.20）" in check
    assert f"※2</span> 总分：自报 {form.total + 3:.2f}，高于计算 {form.total:.2f}（高出 3.00）" in check
    head = page[: page.index('data-testid="reported-above-check"')]
    assert head.count('<sup class="check-mark"') == 2 and ">※1</sup>" in head and ">※2</sup>" in head
    # inside the printed sheet (not a noprint notice)
    assert page.index('data-testid="reported-above-check"') < page.index("</article>")
