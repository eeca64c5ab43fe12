"""The finished 复核 of a project-year on its project page: what the unit and its department see once
finance has finished the item — 复核总分 and 复核等级 beside the self-evaluation's, the findings, and each
re-scored indicator's 复核得分 with its reason. An item still in progress shows nothing at all: its
scores and reasons are finance's (or the third party's) working notes until finance finishes it.

The page itself is scoped (``projects.scoping``): whoever reads the project page may read its final
复核. Two queries when the project has a finished item, one otherwise; loaded by the template, so no
lower room imports recheck."""

from django import template

from ..models import ItemStatus, RecheckItem, RecheckScore

register = template.Library()


def final_items(evaluation) -> list[RecheckItem]:
    """The finished 复核 items of an evaluation, the latest first (never one in progress)."""
    return list(
        RecheckItem.objects.filter(evaluation=evaluation, status=ItemStatus.DONE)
        .select_related("sample")
        .order_by("-finished_at", "-pk")
    )


@register.inclusion_tag("recheck/_final.html")
def final_recheck(project, evaluation):
    items = final_items(evaluation)
    scores: dict[int, list[RecheckScore]] = {}
    if items:
        rows = (
            RecheckScore.objects.filter(item__in=items)
            .select_related("indicator")
            .order_by("indicator__order", "indicator__pk")
        )
        for score in rows:
            scores.setdefault(score.item_id, []).append(score)
    return {
        "project": project,
        "evaluation": evaluation,
        "items": [(item, scores.get(item.pk, [])) for item in items],
    }
