"""#12: the target stage's hint for a direction guessed from the name quotes the word and its reason."""

from perfgoals.models import Indicator
from perfgoals.pages.targets import target_reading


def _guessed(name: str, direction: str) -> Indicator:
    return Indicator(
        name=name,
        target_text="100%",
        target_kind="quantitative",
        direction=direction,
        direction_source="name",
        direction_override="",
    )


def test_hint_names_the_word_and_its_reason():
    reading = target_reading(_guessed("违规行为公示率", "ge"))
    assert reading["suggested"]
    assert "“公示率”推测为正向" in reading["hint"] and "公开、公示或披露" in reading["hint"]


def test_hint_says_when_the_word_points_both_ways():
    reading = target_reading(_guessed("高血压患者血压控制率", "ge"))
    assert "“控制率”方向不明" in reading["hint"] and "暂按正向" in reading["hint"]
