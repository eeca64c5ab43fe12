"""Hashes of the inline code some templates still carry, for the Content-Security-Policy.

The policy allows scripts from this site only. Inline code that cannot move to a static file yet (it
lives in templates other branches are restructuring: INLINE_CODE_TEMPLATES in the settings) is allowed
by the SHA-256 of its exact text, as CSP level 3 defines: an inline <script>, or with 'unsafe-hashes'
an on… attribute. The hashes are read from the template files when the settings load, so they follow
edits of that code; code with template syntax in it cannot be hashed ahead of rendering and is left
out (the browser would then refuse it: tests/web/test_csp.py renders the pages and checks every piece).
Reading files only, this needs no Django: the settings module calls it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
_HANDLER = re.compile(r"\son[a-z]+=(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)')")


def csp_hash(code: str) -> str:
    """The CSP source expression allowing exactly this code."""
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_code(html: str) -> tuple[list[str], list[str]]:
    """(inline scripts, event-handler attributes) of a template's text."""
    scripts = [
        m["body"]
        for m in _SCRIPT.finditer(html)
        if "src=" not in m["attrs"] and "application/json" not in m["attrs"] and m["body"].strip()
    ]
    handlers = [m["dq"] if m["dq"] is not None else m["sq"] for m in _HANDLER.finditer(html)]
    return scripts, handlers


def _find(name: str, directories: Iterable[Path]) -> Path | None:
    for directory in directories:
        path = directory / name
        if path.is_file():
            return path
    return None


def inline_code_hashes(names: Iterable[str], directories: Iterable[Path]) -> tuple[list[str], bool]:
    """(hashes of the inline code of these templates, whether any of it is an on… attribute)."""
    directories = list(directories)
    hashes: list[str] = []
    handlers_found = False
    for name in names:
        path = _find(name, directories)
        if path is None:
            continue
        scripts, handlers = inline_code(path.read_text(encoding="utf-8"))
        for code in [*scripts, *handlers]:
            if "{{" in code or "{%" in code:
                continue  # rendered differently each time: cannot be allowed by a hash
            hashes.append(csp_hash(code))
        handlers_found = handlers_found or bool(handlers)
    return list(dict.fromkeys(hashes)), handlers_found
