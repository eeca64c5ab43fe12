"""`field_of_header` against its plain definition: the qualified aliases by the text with its bracketed
note kept, then the aliases by `header_key`, then the 绩效指标 label. The function skips the first
look-up for a text without the characters every qualified alias has; the answer must not change."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from perfgoals.intake.reader import headers


def _qualified_key(folded: str) -> str:
    return re.sub(r"[\s*＊:：·・\-—_/、.。]", "", re.sub(r"[(（)）\[\]【】]", "", folded)).lower()


QUALIFIED = {
    _qualified_key(unicodedata.normalize("NFKC", name)): code
    for name, code in headers._QUALIFIED_ALIASES.items()
}


def _reference(text: str) -> str | None:
    if not text or len(text) > 40:
        return None
    folded = unicodedata.normalize("NFKC", text)
    if _qualified_key(folded) in QUALIFIED:
        return QUALIFIED[_qualified_key(folded)]
    key = re.sub(r"[(（\[【][^()（）\[\]【】]*[)）\]】]", "", folded)
    key = re.sub(r"[\s*＊:：·・\-—_/、.。]", "", key).lower()
    assert key == headers.header_key(text)
    if key in headers.HEADER_ALIASES:
        return headers.HEADER_ALIASES[key]
    if re.fullmatch(r"(年度)?绩效指标(20\d\d年?)?", key):
        return "label"
    return None


#: every alias as written, and the qualified ones: the texts most likely to be headers
ALIASES = sorted(
    {name for names in headers._ALIASES.values() for name in names} | set(headers._QUALIFIED_ALIASES)
)
#: what a header may be made of: the aliases' own characters, brackets, noise, full-width forms
PIECES = st.sampled_from(
    sorted(set("".join(ALIASES)) | set("()（）[]【】 \t*＊:：·・-—_/、.。ＡaA年度2026人工确认指定"))
)


@given(st.lists(PIECES, max_size=14).map("".join))
def test_field_of_header_as_defined_for_header_like_texts(text):
    assert headers.field_of_header(text) == _reference(text)


@given(st.sampled_from(ALIASES), st.text(max_size=4), st.text(max_size=4))
def test_field_of_header_as_defined_around_an_alias(alias, before, after):
    text = before + alias + after
    assert headers.field_of_header(text) == _reference(text)


@given(st.text(max_size=45))
def test_field_of_header_as_defined_for_any_text(text):
    assert headers.field_of_header(text) == _reference(text)


def test_every_alias_and_qualified_alias_is_read():
    for code_text in headers._QUALIFIED_ALIASES:
        assert headers.field_of_header(code_text) == headers._QUALIFIED_ALIASES[code_text]
        assert (
            headers.field_of_header(code_text.replace("（", "(").replace("）", ")")) == "direction_override"
        )
    assert headers.field_of_header("指标方向") == headers.HEADER_ALIASES[headers.header_key("指标方向")]
    assert headers.field_of_header("年度绩效指标2026年") == "label"
    assert headers.field_of_header("名称（3）") is None
