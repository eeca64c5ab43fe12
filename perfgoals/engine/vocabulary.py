"""The fixed level-1 / level-2 indicator vocabulary, in both generations found in the seeds.

* 2019-2020 generation (seeds 001, 004): 成本指标 is a level-2 category under 产出指标.
* 2021+ generation (seed 003, central rules): 成本指标 is a level-1 category of its own with
  经济成本 / 社会成本 / 生态环境成本 below it.

Printed names vary ("社会效益" / "社会效益指标", "服务对象满意度指标" / "社会公众或服务对象满意度指标",
line breaks inside the cell); :func:`normalise_level1` and :func:`normalise_level2` map them to codes.
All tables here are read-only mappings: the vocabulary is data, not state.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

__all__ = [
    "GENERATIONS",
    "GENERATION_LEVEL1",
    "LEVEL1",
    "LEVEL2",
    "LEVEL2_PARENT",
    "generation_for_year",
    "level1_name",
    "level1_of",
    "level2_name",
    "normalise_level1",
    "normalise_level2",
    "parse_level1_header",
]

#: level-1 code → canonical name, in the order the codes are listed in the brief
LEVEL1: Mapping[str, str] = MappingProxyType(
    {
        "output": "产出指标",
        "cost": "成本指标",
        "benefit": "效益指标",
        "satisfaction": "满意度指标",
    }
)

#: level-2 code → canonical name
LEVEL2: Mapping[str, str] = MappingProxyType(
    {
        "quantity": "数量指标",
        "quality": "质量指标",
        "timeliness": "时效指标",
        "output_cost": "成本指标",
        "economic_benefit": "经济效益指标",
        "social_benefit": "社会效益指标",
        "ecological_benefit": "生态效益指标",
        "sustainability": "可持续影响指标",
        "service_satisfaction": "服务对象满意度指标",
        "economic_cost": "经济成本指标",
        "social_cost": "社会成本指标",
        "ecological_cost": "生态环境成本指标",
    }
)

#: level-2 code → its level-1 code
LEVEL2_PARENT: Mapping[str, str] = MappingProxyType(
    {
        "quantity": "output",
        "quality": "output",
        "timeliness": "output",
        "output_cost": "output",
        "economic_benefit": "benefit",
        "social_benefit": "benefit",
        "ecological_benefit": "benefit",
        "sustainability": "benefit",
        "service_satisfaction": "satisfaction",
        "economic_cost": "cost",
        "social_cost": "cost",
        "ecological_cost": "cost",
    }
)

#: generation → level-2 codes in print order (tuples: immutable)
GENERATIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "2019": (
            "quantity",
            "quality",
            "timeliness",
            "output_cost",
            "economic_benefit",
            "social_benefit",
            "ecological_benefit",
            "sustainability",
            "service_satisfaction",
        ),
        "2021": (
            "economic_cost",
            "social_cost",
            "ecological_cost",
            "quantity",
            "quality",
            "timeliness",
            "economic_benefit",
            "social_benefit",
            "ecological_benefit",
            "sustainability",
            "service_satisfaction",
        ),
    }
)

#: generation → level-1 codes in print order (seed 003 prints 成本指标 first)
GENERATION_LEVEL1: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "2019": ("output", "benefit", "satisfaction"),
        "2021": ("cost", "output", "benefit", "satisfaction"),
    }
)

# Printed aliases, compared after whitespace and "指标" suffix are stripped (see _key).
_LEVEL1_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "产出": "output",
        "效益": "benefit",
        "满意度": "satisfaction",
        "成本": "cost",
    }
)

# Level-2 aliases that do not depend on the level-1 they are printed under.
_LEVEL2_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "数量": "quantity",
        "质量": "quality",
        "时效": "timeliness",
        "经济效益": "economic_benefit",
        "社会效益": "social_benefit",
        "生态效益": "ecological_benefit",
        "可持续影响": "sustainability",
        "可持续": "sustainability",
        "服务对象满意度": "service_satisfaction",
        "社会公众或服务对象满意度": "service_satisfaction",
        "社会公众满意度": "service_satisfaction",
        "服务对象满意": "service_satisfaction",
        "经济成本": "economic_cost",
        "社会成本": "social_cost",
        "生态环境成本": "ecological_cost",
        "生态成本": "ecological_cost",
    }
)

_HEADER_WEIGHT = re.compile(r"[(（]\s*([0-9]+(?:\.[0-9]+)?)\s*分\s*[)）]")


def _key(printed: str) -> str:
    """Strip every kind of whitespace, width variants and the trailing "指标" from a printed name."""
    text = unicodedata.normalize("NFKC", printed)
    text = "".join(text.split())
    text = _HEADER_WEIGHT.sub("", text)
    # a trailing colon or full stop is print noise, not part of the name
    text = text.rstrip(":：;；,，.。")
    if text.endswith("指标"):
        text = text[: -len("指标")]
    return text


def level1_name(code: str) -> str:
    """The canonical Chinese name of a level-1 code (the code itself if unknown)."""
    return LEVEL1.get(code, code)


def level2_name(code: str) -> str:
    """The canonical Chinese name of a level-2 code (the code itself if unknown)."""
    return LEVEL2.get(code, code)


def level1_of(level2_code: str) -> str | None:
    """The level-1 code a level-2 code belongs to, or None for an unknown code."""
    return LEVEL2_PARENT.get(level2_code)


def generation_for_year(year: int | None) -> str:
    """The vocabulary generation a fiscal year most likely uses: "2019" up to 2020, "2021" after.

    Only a default: seed 000 (2021) still prints the 2019 layout, so the printed table wins.
    """
    if year is not None and year >= 2021:
        return "2021"
    return "2019"


def normalise_level1(printed: str | None) -> str | None:
    """Map a printed level-1 name ("产出", "产出指标", "产\\n出\\n指\\n标\\n（50 分）") to its code.

    Codes themselves are accepted too. Returns None when the text is not a level-1 name.
    """
    if printed is None:
        return None
    if printed in LEVEL1:
        return printed
    return _LEVEL1_ALIASES.get(_key(printed))


def normalise_level2(printed: str | None, level1_code: str | None = None) -> str | None:
    """Map a printed level-2 name to its code, given (optionally) the level-1 code it is printed under.

    "成本指标" as a level 2 means ``output_cost`` under 产出 (or when the level 1 is unknown) and
    ``economic_cost`` under the 2021 level-1 成本指标 (seed 003 prints "成本指标 / 成本指标" for an
    economic cost). "满意度" / "满意度指标" as a level 2 is the service-satisfaction category.
    When ``level1_code`` is given and the name belongs to another level 1, None is returned: the caller
    decides whether the print is wrong or the level 1 was mis-read (seed 001 附件3 omits the 效益 header).
    """
    if printed is None:
        return None
    if printed in LEVEL2:
        code: str | None = printed
    else:
        key = _key(printed)
        if key == "成本":
            code = "economic_cost" if level1_code == "cost" else "output_cost"
        elif key == "满意度":
            code = "service_satisfaction"
        else:
            code = _LEVEL2_ALIASES.get(key)
    if code is None:
        return None
    if level1_code is not None and LEVEL2_PARENT[code] != level1_code:
        return None
    return code


def parse_level1_header(printed: str | None) -> tuple[str | None, Decimal | None]:
    """Split a printed level-1 header such as "产出指标（50 分）" into (code, declared weight).

    Either part is None when absent; never raises.
    """
    if printed is None:
        return None, None
    compact = "".join(unicodedata.normalize("NFKC", printed).split())
    match = _HEADER_WEIGHT.search(compact)
    weight: Decimal | None = None
    if match:
        try:
            weight = Decimal(match.group(1))
        except InvalidOperation:  # pragma: no cover - the regex only admits valid numbers
            weight = None
    return normalise_level1(compact), weight
