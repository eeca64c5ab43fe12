"""The review's "文字实际值" flag counts the evidence: a text actual backed by a file is no open item."""

from __future__ import annotations

import pytest
from django.urls import reverse

from perfgoals.choices import Status
from perfgoals.evidence import actions
from perfgoals.models import Indicator
from perfgoals.workflow import indicator_review_flags, review_summary
from tests.evidence.conftest import pdf_bytes, upload
from tests.web.conftest import set_status


@pytest.fixture
def worded(small_project, local_media):
    """A quantitative indicator of the small project whose actual is words ("见附件")."""
    set_status(small_project, Status.ENTERING)
    indicator = (
        Indicator.objects.filter(project=small_project, target_kind="quantitative").order_by("order").first()
    )
    Indicator.objects.filter(pk=indicator.pk).update(actual_text="见附件", actual_kind="qualitative")
    indicator.refresh_from_db()
    assert indicator.text_actual
    return indicator


def codes(indicator, scheme) -> dict[str, tuple[str, str]]:
    return {f.code: (f.label, f.level) for f in indicator_review_flags(indicator, scheme)}


def test_the_flag_by_evidence_count(worded, small_project):
    scheme = small_project.evaluation.scheme.engine_scheme()
    assert codes(worded, scheme)["text_actual"] == ("文字实际值，需佐证", "warn")  # count not loaded
    worded.evidence_count = 0
    assert codes(worded, scheme)["text_actual"] == ("文字实际值，需佐证：未附佐证材料", "warn")
    worded.evidence_count = 2
    flags = codes(worded, scheme)
    assert "text_actual" not in flags
    assert flags["text_actual_evidenced"] == ("文字实际值，已附佐证材料 2 份", "info")
    summary = review_summary(small_project.evaluation, [worded], scheme)
    assert "文字实际值" not in [label for label, _n, _level in summary]


def test_the_review_page_and_queue_follow_the_evidence(worded, small_project, user_of, client_of):
    unit = user_of("unit_own")
    other = Indicator.objects.filter(project=small_project).exclude(pk=worded.pk).first()
    # evidence of another indicator, and of the project, do not back this one
    actions.attach_evidence(unit, small_project, upload("其他.pdf", pdf_bytes()), indicator=other)
    actions.attach_evidence(unit, small_project, upload("报告.pdf", pdf_bytes()))
    set_status(small_project, Status.SUBMITTED)
    supervisor = client_of("supervisor_own")
    review = reverse("perfgoals:review", args=[small_project.pk])
    page = supervisor.get(review).content.decode()
    assert "文字实际值，需佐证：未附佐证材料" in page
    queue = supervisor.get(reverse("perfgoals:review_queue")).content.decode()
    assert "文字实际值" in queue

    set_status(small_project, Status.RETURNED)
    evidence = actions.attach_evidence(unit, small_project, upload("名单.pdf", pdf_bytes()), indicator=worded)
    set_status(small_project, Status.SUBMITTED)
    page = supervisor.get(review).content.decode()
    assert "文字实际值，已附佐证材料 1 份" in page and "未附佐证材料" not in page
    queue = supervisor.get(reverse("perfgoals:review_queue")).content.decode()
    assert "文字实际值" not in queue

    set_status(small_project, Status.RETURNED)
    actions.remove_evidence(unit, evidence, "传错了")
    set_status(small_project, Status.SUBMITTED)
    assert "文字实际值，需佐证：未附佐证材料" in supervisor.get(review).content.decode()
