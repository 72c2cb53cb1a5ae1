"""Cell widths and cutting for the plain-text tables, against wcwidth and a plain loop."""

from __future__ import annotations

import wcwidth
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.textwidth import char_width, fit, width

# Chinese, ASCII, full-width forms, combining marks, format characters and a control.
TEXT = st.text(
    alphabet=st.sampled_from("走访慰问优抚对象（）「」：，。ＡＢ１２ abcXYZ019-_@.é\u0301\u200b\u200d\u00ad\x07"),
    max_size=80,
)


def reference_fit(text: str, columns: int) -> str:
    """The rule spelled out one character at a time."""
    if width(text) <= columns:
        return text
    mark = "..." if columns > 3 else ""
    out, used = [], 0
    for ch in text:
        w = max(char_width(ch), 1)
        if used + w > columns - len(mark):
            break
        out.append(ch)
        used += w
    return "".join(out) + mark


@settings(max_examples=400, deadline=None)
@given(TEXT, st.integers(min_value=0, max_value=60))
def test_fit_keeps_the_longest_start_that_fits(text: str, columns: int) -> None:
    cut = fit(text, columns)
    assert cut == reference_fit(text, columns)
    if cut != text:
        assert width(cut) <= columns or columns <= 3


def test_fit_cuts_chinese_by_cells() -> None:
    title = "组织军民共建文明单位结对活动（第665项）"
    assert width(title) == 39
    assert fit(title, 39) == title
    assert fit(title, 38) == "组织军民共建文明单位结对活动（第665..."
    assert width(fit(title, 38)) == 38
    assert fit(title, 37) == "组织军民共建文明单位结对活动（第66..."  # a wide character never half-fits
    assert fit(title, 10) == "组织军..."
    assert fit("走访慰问", 3) == "走"


def test_widths_agree_with_wcwidth_on_the_characters_plans_use() -> None:
    for ch in "走访慰问（）「」：，。ＡＢ１２ abc019-é\u0301":
        assert char_width(ch) == wcwidth.wcwidth(ch), ch
