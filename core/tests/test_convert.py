import datetime as dt
from decimal import Decimal

import pytest

from bottleneck_core import convert


@pytest.mark.parametrize(
    "value, expected",
    [
        (4954, "4954"),
        (4954.0, "4954"),
        (" 4954 ", "4954"),
        ("13127-1", "13127-1"),
        ("bon-cadeau-25-euros", "bon-cadeau-25-euros"),
        (None, None),
        ("  ", None),
        (float("nan"), None),
    ],
)
def test_keys_are_normalised_text(value, expected):
    assert convert.to_key(value) == expected


@pytest.mark.parametrize("value", [dt.datetime(2024, 1, 1), dt.date(2024, 1, 1), 12.5, True])
def test_keys_refuse_dates_decimals_and_booleans(value):
    with pytest.raises(convert.BadValue) as info:
        convert.to_key(value)
    assert "expected an id" in info.value.en and "identifiant" in info.value.fr


@pytest.mark.parametrize(
    "value, expected",
    [
        (24.2, Decimal("24.20")),
        (24.199999999999999, Decimal("24.20")),
        (-8, Decimal("-8.00")),
        ("12,5", Decimal("12.50")),
        (Decimal("3.1"), Decimal("3.10")),
        (23.400000000000002, Decimal("23.40")),
    ],
)
def test_money_is_exact_to_the_cent(value, expected):
    result = convert.to_money(value)
    assert result == expected and result.as_tuple().exponent == -2


@pytest.mark.parametrize("value", [10.005, "abc", dt.date(2024, 1, 1), float("inf")])
def test_money_refuses_what_is_not_a_price_in_cents(value):
    with pytest.raises(convert.BadValue):
        convert.to_money(value)


def test_whole_numbers_and_flags():
    assert convert.to_int(3.0) == 3 and convert.to_int("7") == 7 and convert.to_int(None) is None
    assert convert.to_flag(1) == 1 and convert.to_flag(0.0) == 0
    for bad, func in ((2.5, convert.to_int), ("x", convert.to_int), (2, convert.to_flag)):
        with pytest.raises(convert.BadValue):
            func(bad)
