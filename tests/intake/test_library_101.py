"""The indicator library and 财预〔2021〕101号 (issue 15): each entry keeps the most used 指标解释 /
评(扣)分标准 / 数据来源 / 取值依据 and a chosen suggestion fills them in; an indicator is linked to its
entry (the key of the suggestion chosen, else its name through the library's key function), so that
the target review page shows, per indicator, the same entry's targets in the region-year — in a
constant number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perfgoals.choices import Status
from perfgoals.intake import library, peers, services
from perfgoals.intake.models import LibraryIndicator
from perfgoals.models import Evaluation, Indicator
from projects.models import Project

pytestmark = pytest.mark.django_db


def client_for(username: str) -> Client:
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _2021(name: str) -> Project:
    return Project.objects.select_related("evaluation", "unit__department", "region").get(
        year=2021, name=name
    )


def _set_101(names_and_projects, **values):
    Indicator.objects.filter(**names_and_projects).update(**values)


# --- the entries keep the most used texts -------------------------------------------------------------


def test_an_entry_keeps_the_most_used_101_texts(demo):
    rows = Indicator.objects.filter(project__region__name="烟台市", project__year=2021, name="工作满意度")
    pks = list(rows.values_list("pk", flat=True))
    assert len(pks) >= 2
    Indicator.objects.filter(pk__in=pks).update(
        explanation="服务对象对工作的满意程度",
        scoring_standard="≥90% 得满分",
        data_source="问卷调查",
        basis="plan",
    )
    Indicator.objects.filter(pk=pks[0]).update(explanation="少数写法", basis="other")
    services.build_library()
    entry = LibraryIndicator.objects.get(region__name="烟台市", name_key=library.name_key("工作满意度"))
    if len(pks) > 2:
        assert entry.explanation == "服务对象对工作的满意程度" and entry.basis == "plan"
    assert entry.scoring_standard == "≥90% 得满分" and entry.data_source == "问卷调查"
    # a curated entry keeps what the administrator wrote
    entry.curated = True
    entry.explanation = "审定的解释"
    entry.save()
    services.build_library()
    entry.refresh_from_db()
    assert entry.explanation == "审定的解释"


def test_a_suggestion_carries_them_and_its_key(demo):
    Indicator.objects.filter(project__region__name="烟台市", name="工作满意度").update(
        explanation="服务对象对工作的满意程度",
        scoring_standard="≥90% 得满分",
        data_source="问卷调查",
        basis="plan",
    )
    services.build_library()
    client = client_for("tianbao_yantai")
    data = client.get(reverse("intake:library_suggest"), {"q": "工作满意"}).json()
    found = next(r for r in data["results"] if r["name"] == "工作满意度")
    assert (found["key"], found["explanation"], found["basis"], found["basis_label"]) == (
        library.name_key("工作满意度"),
        "服务对象对工作的满意程度",
        "plan",
        "计划标准",
    )
    html = client.get(reverse("intake:library_suggest"), {"name": "工作满意"}, HTTP_HX_REQUEST="true").content
    html = html.decode()
    assert 'data-explanation="服务对象对工作的满意程度"' in html and 'data-basis="plan"' in html
    assert f'data-key="{library.name_key("工作满意度")}"' in html and "含 101号 字段" in html


# --- the link -------------------------------------------------------------------------------------------


@pytest.fixture
def draft(demo):
    """烟台 2019 困难群众医疗救助 rolled into 2021 as a draft of its unit."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="tianbao_yantai")
    source = Project.objects.get(year=2019, name="困难群众医疗救助")
    report = services.rollover(services.Actor(user), [source.pk], 2022)
    return Project.objects.select_related("evaluation").get(pk=report.created[0].pk)


def _add(client, project, **extra):
    ind = Indicator.objects.filter(project=project, level1="output").order_by("order").first()
    Indicator.objects.filter(pk=ind.pk).update(weight=ind.weight - Decimal(5))
    data = {
        "level1": "output",
        "level2": "quantity",
        "name": "工作满意度",
        "target_text": "≥90%",
        "weight": "5",
        **extra,
    }
    return client.post(reverse("perfgoals:add_target", args=[project.pk]), data, HTTP_HX_REQUEST="true")


def test_a_chosen_suggestion_is_stored_as_the_link(draft):
    services.build_library()
    key = library.name_key("工作满意度")
    response = _add(
        client_for("tianbao_yantai"), draft, library_key=key, explanation="满意程度", basis="history"
    )
    import re

    assert response.status_code == 200, re.findall(r"field-error[^<]*<", response.content.decode())
    ind = Indicator.objects.filter(project=draft, name="工作满意度").order_by("-pk").first()
    assert (ind.library_key, ind.explanation, ind.basis) == (key, "满意程度", "history")


def test_a_forged_or_unknown_key_links_nothing(draft):
    services.build_library()
    response = _add(client_for("tianbao_yantai"), draft, library_key="别的地区的指标")
    assert response.status_code == 200
    assert (
        Indicator.objects.filter(project=draft, name="工作满意度").order_by("-pk").first().library_key == ""
    )


def test_a_name_typed_by_hand_still_finds_its_entry(demo):
    ind = Indicator(name="（1）工作满意度。", library_key="")
    assert peers.indicator_key(ind) == library.name_key("工作满意度")
    linked = Indicator(name="自拟名称", library_key="工作满意度")
    assert peers.indicator_key(linked) == "工作满意度"


# --- the review page's peers ----------------------------------------------------------------------


def _submitted(project: Project) -> Project:
    Evaluation.objects.filter(project=project).update(status=Status.TARGETS_SUBMITTED)
    project.evaluation.refresh_from_db()
    return project


def test_the_review_page_shows_peer_targets_of_the_same_entry(demo):
    services.build_library()
    project = _submitted(_2021("城乡居民医疗保险市级补助"))
    own = Indicator.objects.get(project=project, name="工作满意度")
    others = Indicator.objects.filter(
        project__region__name="烟台市", project__year=2021, name="工作满意度"
    ).exclude(project=project)
    assert others.exists()
    result = peers.peer_targets(_user("shenhe_yantai"), project, [own])
    found = result[own.pk]
    assert found.count == others.count()
    assert found.entry_id == LibraryIndicator.objects.get(region__name="烟台市", name_key="工作满意度").pk
    html = client_for("shenhe_yantai").get(reverse("perfgoals:review", args=[project.pk])).content.decode()
    assert f'data-testid="peers-{own.pk}"' in html
    assert f"<strong>{found.count}</strong> 项" in html
    assert reverse("intake:library_entry", args=[found.entry_id]) in html
    # another region's targets of the same name are not peers
    assert all(
        p.count <= Indicator.objects.filter(project__region=project.region, project__year=2021).count()
        for p in peers.peer_targets(_user("shenhe_yantai"), project, project.indicators.all()).values()
    )


def _user(name):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=name)


def test_typical_lowest_and_highest_in_the_indicators_unit(demo):
    project = _2021("城乡居民医疗保险市级补助")
    own = Indicator.objects.get(project=project, name="工作满意度")
    others = list(
        Indicator.objects.filter(project__region__name="烟台市", project__year=2021, name="工作满意度")
        .exclude(project=project)
        .order_by("pk")
    )
    targets = ["≥85%", "≥95%", "≧95%", "≥90%", "95%以上", "≥88%", "≥92%"]
    for ind, target in zip(others, targets, strict=False):
        ind.target_text = target
        ind.save()
        from perfgoals import scoring

        scoring.recompute(ind.project)
    used = targets[: len(others)]
    services.build_library()
    found = peers.peer_targets(_user("shenhe_yantai"), project, [Indicator.objects.get(pk=own.pk)])[own.pk]
    assert len(used) >= 3
    numbers = sorted(Decimal(t.strip("≥≧%以上")) for t in used)
    assert found.low == f"{numbers[0]:f}%" and found.high == f"{numbers[-1]:f}%"
    assert found.compared == len(used)
    assert found.typical == "≥95%"  # in the library's notation: ≧95% and 95%以上 too


def test_a_draft_is_no_peer(demo):
    services.build_library()
    project = _2021("城乡居民医疗保险市级补助")
    own = Indicator.objects.get(project=project, name="工作满意度")
    before = peers.peer_targets(_user("shenhe_yantai"), project, [own])[own.pk].count
    other = (
        Indicator.objects.filter(project__region__name="烟台市", project__year=2021, name="工作满意度")
        .exclude(project=project)
        .first()
    )
    Evaluation.objects.filter(project_id=other.project_id).update(status=Status.DRAFT)
    assert peers.peer_targets(_user("shenhe_yantai"), project, [own])[own.pk].count == before - 1


def test_a_linked_indicator_of_another_name_is_a_peer(demo):
    services.build_library()
    project = _2021("城乡居民医疗保险市级补助")
    own = Indicator.objects.get(project=project, name="工作满意度")
    before = peers.peer_targets(_user("shenhe_yantai"), project, [own])[own.pk].count
    stranger = (
        Indicator.objects.filter(project__region__name="烟台市", project__year=2021)
        .exclude(name="工作满意度")
        .exclude(project=project)
        .first()
    )
    Indicator.objects.filter(pk=stranger.pk).update(library_key="工作满意度")
    assert peers.peer_targets(_user("shenhe_yantai"), project, [own])[own.pk].count == before + 1


def test_the_review_page_runs_a_constant_number_of_queries(demo, django_assert_max_num_queries):
    services.build_library()
    project = _submitted(_2021("城乡居民医疗保险市级补助"))
    client = client_for("shenhe_yantai")
    url = reverse("perfgoals:review", args=[project.pk])
    client.get(url)  # warm the caches (sessions, schemes)
    with CaptureQueriesContext(connection) as few:
        shown = client.get(url).content.decode().count('data-testid="peers-')
    assert shown >= 3
    # twice the indicators, every one with peers in other projects of the region-year
    template = list(Indicator.objects.filter(project=project).order_by("order"))
    last = template[-1].order
    for n, ind in enumerate(template, start=1):
        ind.pk = None
        ind.order = last + n
        ind.weight = None
        ind.save()
    assert Indicator.objects.filter(project=project).count() == 2 * len(template)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count('data-testid="peers-') == 2 * shown
