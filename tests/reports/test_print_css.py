"""Every width rule of the stylesheets is for screens: an A4 page printed is about 718 px wide, so a
bare ``@media (max-width: 720px)`` also matches when printing and lays the paper out as a phone (the
print test, test_browser_print, shows it in Chromium; this one keeps new rules from doing it again)."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"
WIDTH_RULE = re.compile(r"@media\s+([^{]*\b(?:max|min)-width[^{]*)\{")


def test_every_width_rule_is_screen_only():
    offending = []
    for path in sorted(STATIC.rglob("*.css")):
        for match in WIDTH_RULE.finditer(path.read_text(encoding="utf-8")):
            query = match.group(1)
            if not all(part.strip().startswith("screen") for part in query.split(",")):
                offending.append(f"{path.relative_to(STATIC)}: @media {query.strip()}")
    assert offending == []
