"""Junk in the query string of the lists never answers 500 (hardening #17, item 3).

`?per_page=-1` used to raise inside the paginator. Every list (the project list and the review queue,
their CSV export too) is asked for junk page sizes, pages, sort keys and filter values; each answer is
a page (200) with at most MAX_PER_PAGE rows, and a page size out of range is brought into range.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from perfgoals.choices import Status
from projects.lists import MAX_PER_PAGE, ObjectListView
from projects.models import Project

from .conftest import set_status

pytestmark = pytest.mark.django_db

HUGE = "9" * 40

JUNK = [
    {"per_page": "-1"},
    {"per_page": "0"},
    {"per_page": HUGE},
    {"per_page": "abc"},
    {"per_page": "1e9"},
    {"per_page": ""},
    {"per_page": "²"},
    {"page": "-1"},
    {"page": "0"},
    {"page": HUGE},
    {"page": "abc"},
    {"page": "last"},
    {"sort": "nonexistent"},
    {"sort": "-" * 5},
    {"sort": "name;DROP TABLE x"},
    {"sort": "__class__"},
    {"year": "abc"},
    {"year": HUGE},
    {"year": "-2021"},
    {"department": "abc"},
    {"department": HUGE},
    {"department": "-1"},
    {"department": "²"},
    {"unit": "²", "department": "１"},
    {"unit": HUGE},
    {"unit": "x"},
    {"status": "nope"},
    {"grade": "甲"},
    {"q": "\x00"},
    {"q": "%" * 300},
    {"per_page": "-1", "page": HUGE, "sort": "x", "department": HUGE, "unit": HUGE, "year": "all"},
]


def _ids(params: dict) -> str:
    return "&".join(f"{k}={v[:12]!r}" for k, v in params.items())


@pytest.fixture
def queue(demo):
    """A few submitted evaluations, so that the queue has rows to page and sort."""
    for project in Project.objects.filter(year=2021, department__name="烟台市医疗保障局")[:3]:
        set_status(project, Status.SUBMITTED)


@pytest.mark.parametrize("params", JUNK, ids=_ids)
def test_the_project_list_never_answers_500(demo, client_of, params):
    response = client_of("admin").get(reverse("project_list"), params)
    assert response.status_code == 200
    assert len(list(response.context["table"].paginated_rows)) <= MAX_PER_PAGE


@pytest.mark.parametrize("role", ["unit_own", "supervisor_own", "finance"])
def test_every_scope_takes_junk_too(demo, client_of, role):
    """The scopes differ in the queryset only: the worst rows of JUNK are enough for them."""
    client = client_of(role)
    for params in [JUNK[0], {"department": HUGE}, {"unit": "²", "department": "１"}, JUNK[-1]]:
        response = client.get(reverse("project_list"), params)
        assert response.status_code == 200, params


@pytest.mark.parametrize("params", JUNK, ids=_ids)
@pytest.mark.parametrize("role", ["supervisor_own"])
def test_the_review_queue_never_answers_500(queue, client_of, role, params):
    response = client_of(role).get(reverse("perfgoals:review_queue"), params)
    assert response.status_code == 200
    assert len(list(response.context["table"].paginated_rows)) <= MAX_PER_PAGE


@pytest.mark.parametrize("params", JUNK[:12], ids=_ids)
def test_the_exports_never_answer_500(demo, client_of, params):
    response = client_of("admin").get(reverse("project_list"), {**params, "_export": "csv"})
    assert response.status_code == 200
    assert response.getvalue().decode("utf-8-sig").startswith("年度,")  # the streamed rows too


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ObjectListView.per_page),
        ("", ObjectListView.per_page),
        ("abc", ObjectListView.per_page),
        ("-1", ObjectListView.per_page),
        ("0", ObjectListView.per_page),
        ("1", 1),
        ("10", 10),
        (" 50 ", 50),
        ("200", 200),
        ("201", MAX_PER_PAGE),
        (HUGE, MAX_PER_PAGE),
    ],
)
def test_page_sizes_are_brought_into_range(value, expected):
    assert ObjectListView.bounded_per_page(value) == expected


def test_a_page_size_in_range_is_kept_and_one_too_large_is_clamped(demo, client_of):
    client = client_of("admin")
    small = client.get(reverse("project_list"), {"year": "all", "per_page": "10"}).context["table"]
    assert small.paginator.per_page == 10 and small.paginator.num_pages == 5
    large = client.get(reverse("project_list"), {"year": "all", "per_page": HUGE}).context["table"]
    assert large.paginator.per_page == MAX_PER_PAGE
    assert len(list(large.paginated_rows)) == 49


def test_a_page_past_the_end_shows_the_last_page_and_one_before_the_start_the_first(demo, client_of):
    client = client_of("admin")
    last = client.get(reverse("project_list"), {"year": "all", "page": HUGE}).context["table"]
    assert last.page.number == 2 and len(list(last.paginated_rows)) == 49 - 25
    first = client.get(reverse("project_list"), {"year": "all", "page": "-3"}).context["table"]
    assert first.page.number == 1 and len(list(first.paginated_rows)) == 25
