"""Direction suggested by an indicator's name (a suggestion only)."""

from __future__ import annotations

import pytest

from perfgoals.engine import Direction, suggest_direction
from perfgoals.engine.nature import direction_signal

NEG, POS = Direction.NEGATIVE, Direction.POSITIVE


@pytest.mark.parametrize(
    ("name", "direction"),
    [
        ("2 居民试点长岛县财政补助成本", NEG),
        ("购买设备成本控制率", NEG),
        ("个人负担比例", NEG),
        ("检查人员被投诉次数", NEG),
        ("有责投诉数", NEG),
        ("设备故障率", NEG),
        ("误差率", NEG),
        ("差错率", NEG),
        ("基金安全事故发生数", NEG),
        ("DRG信息系统重大安全事件响应时间", NEG),
        ("平均等待时间", NEG),
        ("回款周期", NEG),
        ("超概算项目比例", NEG),
        ("参保居民满意度%", POS),
        ("对医保违规违法行为举报处理率", POS),
        ("检查实施的及时率", POS),
        ("抽检覆盖率", POS),
        ("困难群众医疗费用负担减轻程度", POS),
        ("查处欺诈骗保行为挽回基金损失及时性", POS),
        ("欺诈骗保案件发生率降低", POS),
        ("居民参保缴费人数", None),
        ("精准", None),
        ("", None),
        (None, None),
    ],
)
def test_suggest_direction(name: str | None, direction: Direction | None) -> None:
    assert suggest_direction(name) is direction


def test_signal_names_the_keyword() -> None:
    assert direction_signal("财政补助成本") == (NEG, "成本")
    assert direction_signal("居民参保缴费人数") == (None, None)
