from decimal import Decimal

import pytest

from kpis.values import InvalidValue, display_value, format_value, parse_value


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("25,000", (Decimal("25000"), "")),
        ("３０％", (Decimal("30"), "")),
        ("36.3", (Decimal("36.3"), "")),
        ("-3", (Decimal("-3"), "")),
        (7, (Decimal(7), "")),
        (0.5, (Decimal("0.5"), "")),
        ("", (None, "")),
        (None, (None, "")),
        ("－", (None, "－")),
        ("-", (None, "－")),
        ("ー", (None, "－")),
        ("…", (None, "…")),
        ("...", (None, "…")),
        ("○", (None, "○")),
        ("〇", (None, "○")),
        ("実施済", (None, "実施済")),
    ],
)
def test_it_parses_numbers_and_marks(raw, expected):
    assert parse_value(raw) == expected


@pytest.mark.parametrize(
    "raw", ["abc", "約30", "1.2.3", "NaN", "Infinity", "1e400", "0.00001", True, "30件"]
)
def test_it_refuses_anything_else_with_a_japanese_message(raw):
    with pytest.raises(InvalidValue) as exc:
        parse_value(raw)
    assert "「" in str(exc.value)


def test_it_formats_values_exactly_as_stored():
    assert format_value(Decimal("25000.0000"), "") == "25000"
    assert format_value(Decimal("36.3000"), "") == "36.3"
    assert format_value(None, "－") == "－"
    assert display_value(Decimal("25000"), "") == "25,000"
    assert display_value(Decimal("1234.5"), "") == "1,234.5"
