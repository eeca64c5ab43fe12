"""The indicator levels as the reader sees them: the engine's level vocabulary, cached once a distinct
text, and the levels carried forward down a table (:class:`Levels`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from perfgoals.engine import vocabulary

# the level vocabulary is read once a distinct text, not once a row
parse_level1_header = lru_cache(maxsize=4096)(vocabulary.parse_level1_header)
normalise_level1 = lru_cache(maxsize=4096)(vocabulary.normalise_level1)
normalise_level2 = lru_cache(maxsize=4096)(vocabulary.normalise_level2)


@lru_cache(maxsize=4096)
def strip_header_weight(text: str) -> str:
    """A level-1 name without the weight printed in it: "产出指标（50分）" reads "产出指标"."""
    return re.sub(r"[(（]\s*[0-9]+(?:\.[0-9]+)?\s*分\s*[)）]", "", text).strip()


@dataclass
class Levels:
    """The levels carried down the rows of one project: a blank level cell keeps the one above."""

    project_key: int | None = None
    level1: str | None = None
    level1_printed: str = ""
    level2: str | None = None
    level2_printed: str = ""
