import pytest

from perfgoals.spreadsheets import looks_like_formula


@pytest.mark.parametrize("text", ["=1+1", "+86 123", "-5", "@SUM(A1)", "\tx", "\rx", "\nx", "\0x"])
def test_text_a_spreadsheet_would_evaluate_is_caught(text):
    assert looks_like_formula(text)


@pytest.mark.parametrize("text", ["≥90%", "100%", "签约率=95%", "", " =1"])
def test_ordinary_text_is_left_alone(text):
    assert not looks_like_formula(text)
