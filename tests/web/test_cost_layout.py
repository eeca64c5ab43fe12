"""A 2023 project with 成本 at level 1 (seed 003, 招远) on its page (#16): scored under the scheme's
weights for that layout (no "产出指标分值 40，与本方案默认 50 分不同"), and the result bar lists the
level-1 blocks in the table's order (成本 first, as 招远 prints it)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from perfgoals import scoring
from perfgoals.models import Indicator
from projects.models import Project

pytestmark = pytest.mark.django_db

WEIGHTS = {"cost": Decimal(20), "output": Decimal(40), "benefit": Decimal(20), "satisfaction": Decimal(10)}


def _weighted(project: Project) -> None:
    """The 2021+ weights (成本 20, 产出 40, 效益 20, 满意度 10) spread over each level's indicators."""
    for level1, weight in WEIGHTS.items():
        members = list(Indicator.objects.filter(project=project, level1=level1).order_by("order"))
        share = (weight / len(members)).quantize(Decimal("0.01"))
        for i, ind in enumerate(members):
            w = share if i < len(members) - 1 else weight - share * (len(members) - 1)
            Indicator.objects.filter(pk=ind.pk).update(weight=w)
    scoring.recompute(project)


def test_a_2023_project_with_cost_at_level_1_knows_its_weights_and_order(demo, client_of):
    project = Project.objects.get(year=2023, name="职工长护险财政补贴")
    _weighted(project)
    response = client_of("admin").get(reverse("perfgoals:project", args=[project.pk]))
    assert response.status_code == 200
    warnings = [w.message for w in response.context["result"].warnings]
    assert not [m for m in warnings if "与本方案默认" in m], warnings
    table = list(dict.fromkeys(row.level1 for row in response.context["sheet"] if row.level1))
    assert table[:4] == ["cost", "output", "benefit", "satisfaction"]
    bar = [s["name"] for s in response.context["subtotals"]]
    assert bar == ["成本指标", "产出指标", "效益指标", "满意度指标"]
    html = response.content.decode()
    labels = [
        html.index(f'<span class="kpi-label">{name}</span>') for name in ("成本", "产出", "效益", "满意度")
    ]
    assert labels == sorted(labels)


def test_a_2019_project_keeps_the_2019_weights(demo, client_of):
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    response = client_of("admin").get(reverse("perfgoals:project", args=[project.pk]))
    scheme = response.context["scheme"]
    assert "cost" not in {s.level1 for s in response.context["result"].subtotals.values()}
    assert scheme.default_level1_weights({"output", "benefit", "satisfaction"})["output"] == Decimal(50)
