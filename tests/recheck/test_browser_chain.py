"""The whole chain after the self-evaluation in a real browser, on a phone (390 px), with the demo data
(issue 14's "done when"): a unit submits with evidence, the department approves, finance — the region's
last level — accepts, finance draws a sample that includes it, a third-party reviewer re-scores two
indicators lower with reasons, finance finishes the 复核, the grade drops, the proposed budget action
follows the region's rule, a 整改 item is opened, the unit answers it, finance closes it; then every step
is found in the review log or the history. Screenshots finance-accept-390.png (finance's acceptance) and recheck-final-unit-390.png (the
final 复核 on the unit's project page)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from perfgoals.choices import Status
from perfgoals.evidence.models import Evidence
from perfgoals.models import Evaluation, FinanceReview, Indicator, ReviewAction, ReviewActionKind
from perfgoals.recheck.models import ItemStatus, RecheckItem, RecheckSample, RecheckScore
from perfgoals.rectify.models import RectifyItem, RectifyStatus
from perfgoals.results.rules import rule_for
from projects.models import Project
from tests.evidence.conftest import pdf_bytes
from tests.web.conftest import set_status
from tests.web.test_browser import CHROMIUM, PASSWORD, login
from tests.web.test_browser_phone import assert_fits_the_screen, assert_reachable, phone_page, shot  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]

GRADE_ORDER = {"优": 4, "良": 3, "中": 2, "差": 1}


def sign_in(page, base: str, username: str) -> None:
    """Sign out whoever is signed in, then sign in (a third-party reviewer lands on 复核, not 总览)."""
    page.context.clear_cookies()
    if username.startswith("disanfang"):
        page.goto(f"{base}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/recheck/?$"))
    else:
        login(page, base, username)


def flash(page) -> str:
    return page.inner_text(".messages, [role=status], .alert-success >> nth=0")


def test_the_whole_chain_on_a_phone(demo, live_server, phone_page, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path / "media")
    page, base = phone_page, live_server.url
    project = Project.objects.select_related("region").get(year=2019, name="困难群众医疗救助")
    FinanceReview.objects.create(region=project.region, evaluations=True)
    # the unit is correcting its approved self-evaluation (the demo's guessed directions stand confirmed)
    set_status(project, Status.RETURNED)
    for ind in project.indicators.all():
        if ind.direction_guessed:
            Indicator.objects.filter(pk=ind.pk).update(direction_override=ind.direction)
    evaluation = Evaluation.objects.get(project=project)
    self_total, self_grade = evaluation.total_score, evaluation.grade
    assert self_grade in GRADE_ORDER

    # 1. the unit attaches evidence and submits
    sign_in(page, base, "tianbao_yantai")
    page.goto(f"{base}/projects/{project.pk}/")
    form = "[data-testid=evidence-upload]"
    page.set_input_files(
        f"{form} input[type=file]",
        files=[{"name": "自评报告（盖章）.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("报告")}],
    )
    page.click(f"{form} button[type=submit]")
    page.wait_for_url(f"{base}/projects/{project.pk}/#evidence")
    assert_reachable(page, "[data-testid=submit]")
    page.click("[data-testid=submit]")
    page.wait_for_load_state()
    assert Evaluation.objects.get(pk=evaluation.pk).status == Status.SUBMITTED
    assert Evidence.objects.filter(project=project).count() == 1

    # 2. the department approves: with finance as the last level, it goes on to finance
    sign_in(page, base, "shenhe_yantai")
    page.goto(f"{base}/review/{project.pk}/")
    assert_reachable(page, "[data-testid=approve]")
    page.click("[data-testid=approve]")
    page.wait_for_url(re.compile(r".*/review/(\?.*)?$"))
    assert Evaluation.objects.get(pk=evaluation.pk).status == Status.FINANCE_PENDING

    # 3. finance finds it in its queue and accepts it, on a phone
    sign_in(page, base, "caizheng_yantai")
    page.goto(f"{base}/review/finance/")
    page.click(f"text={project.name}")
    page.wait_for_url(re.compile(rf".*/review/{project.pk}/$"))
    assert_reachable(page, "[data-testid=finance-accept]")
    assert_reachable(page, "[data-testid=finance-to-unit]")
    assert_fits_the_screen(page)
    shot(page, "finance-accept-390.png", top_selector="#decide")
    page.click("[data-testid=finance-accept]")
    page.wait_for_url(re.compile(r".*/review/finance/(\?.*)?$"))
    assert "财政审核通过" in page.inner_text("main")
    assert Evaluation.objects.get(pk=evaluation.pk).status == Status.APPROVED

    # 4. finance draws a sample that includes it (every evaluation of the year at random, seed recorded)
    page.goto(f"{base}/recheck/")
    page.select_option("select[name=year]", "2019")
    for name, value in (("risk", "0"), ("funds", "0"), ("low_execution", "0"), ("random", "200")):
        page.fill(f"input[name={name}]", value)
    page.fill("input[name=seed]", "20261206")
    page.click("#draw button[type=submit]")
    page.wait_for_url(re.compile(r".*/recheck/\d+/$"))
    sample = RecheckSample.objects.get()
    assert sample.seed == 20261206
    item = RecheckItem.objects.get(sample=sample, evaluation=evaluation)

    # 5. finance assigns it to the third-party reviewer
    page.goto(f"{base}/recheck/item/{item.pk}/")
    page.select_option("[data-testid=assignee]", label="受托第三方评价机构复核员")
    page.click("#assign button[type=submit]")
    page.wait_for_selector("text=已委托第三方复核")

    # 6. the third-party reviewer re-scores the two highest-scoring indicators lower, with reasons
    sign_in(page, base, "disanfang_yantai")
    lowered = list(
        Indicator.objects.filter(project=project, not_applicable=False, score__gt=0).order_by(
            "-score", "order"
        )[:2]
    )
    assert len(lowered) == 2
    for n, ind in enumerate(lowered):
        page.goto(f"{base}/recheck/item/{item.pk}/")
        row = page.locator(f"#ind-{ind.pk} form.recheck-form")
        row.locator("input[name=score]").fill("0")
        row.locator("input[name=reason]").fill(f"佐证材料不足以支持实际完成值（第{n + 1}项）")
        row.locator("button[type=submit]").click()
        page.wait_for_selector("text=复核得分 0.00")
    assert RecheckScore.objects.filter(item=item).count() == 2

    # 7. finance finishes the 复核: the grade drops
    sign_in(page, base, "caizheng_yantai")
    page.goto(f"{base}/recheck/item/{item.pk}/")
    page.fill("textarea[name=findings]", "两项实际完成值缺少佐证，按未完成计分。")
    page.click("#findings button[type=submit]")
    page.wait_for_selector("text=复核已完成")
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE
    assert item.recheck_total < self_total
    assert GRADE_ORDER[item.recheck_grade] < GRADE_ORDER[self_grade], (self_total, item.recheck_total)

    # 8. the proposed budget action follows the region's rule for the 复核 grade
    page.goto(f"{base}/results/project/{project.pk}/")
    text = page.inner_text("main")
    proposal = rule_for(project.region)[item.recheck_grade]
    assert item.recheck_grade in text and proposal.text in text

    # 9. a 整改 item from the finished 复核
    page.goto(f"{base}/recheck/item/{item.pk}/")
    page.click("[data-testid=open-rectify]")
    page.fill("textarea[name=problem]", "补充两项指标的佐证材料，并说明未完成原因。")
    deadline = datetime.date.today() + datetime.timedelta(days=60)
    page.fill("input[name=deadline]", deadline.isoformat())
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/rectify/\d+/$"))
    rectify = RectifyItem.objects.get(project=project)

    # 10. the unit sees the final 复核 on its project page and answers the 整改 item
    sign_in(page, base, "tianbao_yantai")
    page.goto(f"{base}/projects/{project.pk}/")
    final = page.inner_text("[data-testid=recheck-final]")
    assert item.recheck_grade in final and "佐证材料不足以支持实际完成值" in final
    assert_fits_the_screen(page)
    shot(page, "recheck-final-unit-390.png", top_selector="[data-testid=recheck-final]")
    page.goto(f"{base}/rectify/{rectify.pk}/")
    page.fill("#answer textarea[name=text]", "已补充受益名单和资金拨付凭证。")
    page.click("#answer button[type=submit]")
    page.wait_for_selector("text=已完成")

    # 11. finance closes it
    sign_in(page, base, "caizheng_yantai")
    page.goto(f"{base}/rectify/{rectify.pk}/")
    page.click("#review button[value=confirm]")
    page.wait_for_selector("text=已完成")
    rectify.refresh_from_db()
    assert rectify.status == RectifyStatus.CONFIRMED

    # every step is in the review log or the history, with who made it
    log = list(
        ReviewAction.objects.filter(evaluation=evaluation)
        .order_by("created_at", "pk")
        .values_list("action", "user__username")
    )
    assert log[-3:] == [
        (ReviewActionKind.SUBMIT, "tianbao_yantai"),
        (ReviewActionKind.FORWARD, "shenhe_yantai"),
        (ReviewActionKind.FINANCE_ACCEPT, "caizheng_yantai"),
    ]
    assert Evidence.objects.get(project=project).uploaded_by.username == "tianbao_yantai"
    assert sample.history.filter(history_change_reason="抽取复核样本").exists()
    item_history = list(
        item.history.order_by("history_date").values_list("history_change_reason", "history_user__username")
    )
    reasons = [reason or "" for reason, _user in item_history]
    assert any("委托" in r for r in reasons) and any("复核得分" in r for r in reasons)
    assert ("disanfang_yantai" in {u for _r, u in item_history}) and item_history[-1][1] == "caizheng_yantai"
    scores = RecheckScore.history.filter(item_id=item.pk).values_list("history_user__username", flat=True)
    assert set(scores) == {"disanfang_yantai"}
    rectify_users = list(
        rectify.history.order_by("history_date").values_list("history_user__username", flat=True)
    )
    assert rectify_users == ["caizheng_yantai", "tianbao_yantai", "caizheng_yantai"]
    assert item.recheck_total == item.recheck_total.quantize(Decimal("0.01"))
