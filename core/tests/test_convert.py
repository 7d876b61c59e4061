import datetime as dt
from decimal import Decimal

import pyarrow as pa
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


# --- the column-at-a-time fast paths (typed CSV and Parquet columns) ---------------------------

MONEY = pa.decimal128(18, 2)
BILLION = 1_000_000_000
#: (converter, typed column, Arrow type, taken?): a fast path either converts the whole column
#: exactly as the cell converter would, or declines (None) and leaves it to the cell converter,
#: which names the bad row. Declining where it could convert is only slower; converting where it
#: should decline would let a bad value through: both are checked.
FAST = {
    "keys from integers": (convert.to_key, pa.array([4954, None, -7]), pa.string(), True),
    "keys from text": (convert.to_key, pa.array([" 4954 ", "", None, "\tb-1"]), pa.string(), True),
    "keys from large text": (convert.to_key, pa.array(["a ", " "], pa.large_string()), pa.string(), True),
    "keys from an empty column": (convert.to_key, pa.nulls(2), pa.string(), True),
    "keys from floats": (convert.to_key, pa.array([4954.0]), pa.string(), False),
    "texts": (convert.to_text, pa.array(["product", " attachment ", "  "]), pa.string(), True),
    "quantities": (convert.to_int, pa.array([1, None, -BILLION, BILLION]), pa.int64(), True),
    "quantities of 32 bits": (convert.to_int, pa.array([3, -3], pa.int32()), pa.int64(), True),
    "quantities from an empty column": (convert.to_int, pa.nulls(3), pa.int64(), True),
    "a quantity too large": (convert.to_int, pa.array([0, BILLION + 1]), pa.int64(), False),
    "a quantity too small": (convert.to_int, pa.array([-BILLION - 1, 0]), pa.int64(), False),
    "quantities as floats": (convert.to_int, pa.array([1.0, 2.0]), pa.int64(), False),
    "flags": (convert.to_flag, pa.array([0, 1, None, 1]), pa.int64(), True),
    "flags all 1": (convert.to_flag, pa.array([1, 1]), pa.int64(), True),
    "flags all 0": (convert.to_flag, pa.array([0, 0]), pa.int64(), True),
    "flags from an empty column": (convert.to_flag, pa.nulls(2, pa.int64()), pa.int64(), True),
    "a flag of 2": (convert.to_flag, pa.array([0, 2]), pa.int64(), False),
    "a flag of -1": (convert.to_flag, pa.array([-1, 1]), pa.int64(), False),
    "flags as text": (convert.to_flag, pa.array(["1"]), pa.int64(), False),
    "prices in whole euros": (convert.to_money, pa.array([24, None, -1_000_000, 1_000_000]), MONEY, True),
    "a whole price too large": (convert.to_money, pa.array([1_000_001]), MONEY, False),
    "a whole price too small": (convert.to_money, pa.array([-1_000_001]), MONEY, False),
    "prices in cents": (
        convert.to_money,
        pa.array([Decimal("24.20"), Decimal("-0.01"), Decimal("1000000.00")], pa.decimal128(10, 2)),
        MONEY,
        True,
    ),
    "prices in tenths": (convert.to_money, pa.array([Decimal("24.2")], pa.decimal128(5, 1)), MONEY, True),
    "prices in thousandths": (convert.to_money, pa.array([Decimal("24.200")], pa.decimal128(6, 3)), MONEY, False),
    "prices as floats": (convert.to_money, pa.array([24.2, 12.37, None, 0.1 + 0.2, -8.0, 1e6, -1e6]), MONEY, True),
    "a price with a fraction of a cent": (convert.to_money, pa.array([1.0, 10.005]), MONEY, False),
    "a price of half a cent": (convert.to_money, pa.array([0.005]), MONEY, False),
    "a float price too large": (convert.to_money, pa.array([1.0, 1_000_000.01]), MONEY, False),
    "a float price too small": (convert.to_money, pa.array([-1_000_000.01]), MONEY, False),
    "a price that is not a number": (convert.to_money, pa.array([1.0, float("nan")]), MONEY, False),
    "an infinite price": (convert.to_money, pa.array([float("-inf")]), MONEY, False),
    "prices as text": (convert.to_money, pa.array(["24.20"]), MONEY, False),
}


@pytest.mark.parametrize(("converter", "column", "kind", "taken"), FAST.values(), ids=FAST.keys())
def test_a_fast_path_converts_as_the_cell_converter_or_declines(converter, column, kind, taken):
    fast = convert.fast_column(converter, column, kind)
    if not taken:
        assert fast is None
        return
    assert fast is not None and fast.type == kind
    assert fast.to_pylist() == [converter(value) for value in column.to_pylist()]


def test_a_converter_without_a_fast_path_declines():
    assert convert.fast_column(str, pa.array(["1"]), pa.string()) is None


# --- what a refused cell says, word for word ---------------------------------------------------

NBSP = "\u202f"  # French thousands separator (narrow no-break space)
REFUSALS = {
    "id with decimals": (
        convert.to_key,
        12.5,
        "expected an id (integer or text), got the decimal number 12.5",
        "attendu un identifiant (entier ou texte), reçu le nombre décimal 12.5",
    ),
    "id as a date": (
        convert.to_key,
        dt.date(2024, 1, 31),
        "expected an id (integer or text), got a date (2024-01-31)",
        "attendu un identifiant (entier ou texte), reçu une date (2024-01-31)",
    ),
    "id as a boolean": (
        convert.to_key,
        True,
        "expected an id (integer or text), got a boolean (True)",
        "attendu un identifiant (entier ou texte), reçu un booléen (True)",
    ),
    "quantity as a date": (
        convert.to_int,
        dt.date(2024, 1, 31),
        "expected a whole number, got a date (2024-01-31)",
        "attendu un nombre entier, reçu une date (2024-01-31)",
    ),
    "quantity with decimals": (
        convert.to_int,
        2.5,
        "expected a whole number, got 2.5",
        "attendu un nombre entier, reçu 2.5",
    ),
    "quantity as text": (
        convert.to_int,
        " x ",
        "expected a whole number, got ' x '",
        "attendu un nombre entier, reçu ' x '",
    ),
    "quantity infinite": (
        convert.to_int,
        float("inf"),
        "expected a whole number, got inf",
        "attendu un nombre entier, reçu inf",
    ),
    "quantity too large": (
        convert.to_int,
        1e9 + 1,
        "expected a quantity between -1,000,000,000 and 1,000,000,000, got 1000000001",
        f"attendu une quantité entre -1{NBSP}000{NBSP}000{NBSP}000 et 1{NBSP}000{NBSP}000{NBSP}000, reçu 1000000001",
    ),
    "quantity too small": (
        convert.to_int,
        "-1000000001",
        "expected a quantity between -1,000,000,000 and 1,000,000,000, got '-1000000001'",
        f"attendu une quantité entre -1{NBSP}000{NBSP}000{NBSP}000 et 1{NBSP}000{NBSP}000{NBSP}000, reçu '-1000000001'",
    ),
    "flag of 2": (convert.to_flag, 2.0, "expected 0 or 1, got 2", "attendu 0 ou 1, reçu 2"),
    "price as a date": (
        convert.to_money,
        dt.datetime(2024, 1, 31, 9, 0),
        "expected a price in euros, got a date (2024-01-31 09:00:00)",
        "attendu un prix en euros, reçu une date (2024-01-31 09:00:00)",
    ),
    "price as text": (
        convert.to_money,
        "abc",
        "expected a price in euros, got 'abc'",
        "attendu un prix en euros, reçu 'abc'",
    ),
    "price too large": (
        convert.to_money,
        1_000_000.01,
        "expected a price between -1,000,000 and 1,000,000 euros, got 1000000.01",
        f"attendu un prix entre -1{NBSP}000{NBSP}000 et 1{NBSP}000{NBSP}000 euros, reçu 1000000.01",
    ),
    "price of 1e16": (
        convert.to_money,
        1e16,
        "expected a price between -1,000,000 and 1,000,000 euros, got 1e+16",
        f"attendu un prix entre -1{NBSP}000{NBSP}000 et 1{NBSP}000{NBSP}000 euros, reçu 1e+16",
    ),
    "price with 3 decimals": (
        convert.to_money,
        10.005,
        "expected a price with at most 2 decimals, got 10.005",
        "attendu un prix avec au plus 2 décimales, reçu 10.005",
    ),
}


@pytest.mark.parametrize(("converter", "value", "en", "fr"), REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refused_cell_says_what_was_expected_and_what_it_got(converter, value, en, fr):
    with pytest.raises(convert.BadValue) as info:
        converter(value)
    assert (info.value.en, info.value.fr, str(info.value)) == (en, fr, en)


@pytest.mark.parametrize(
    ("value", "expected"), [(1_000_000, "1000000.00"), (-1_000_000, "-1000000.00"), ("0.000001", None)]
)
def test_money_at_its_bounds(value, expected):
    if expected is None:  # a millionth of a euro is a fraction of a cent, not zero
        with pytest.raises(convert.BadValue):
            convert.to_money(value)
    else:
        assert convert.to_money(value) == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1_000_000_000, 1_000_000_000), ("-1000000000", -1_000_000_000), (" 7 ", 7), (Decimal("3.0"), 3)],
)
def test_quantities_at_their_bounds(value, expected):
    assert convert.to_int(value) == expected


def test_text_cells():
    assert convert.to_text(4954.0) == "4954" and convert.to_text(" Château ") == "Château"
    assert convert.to_text(2.5) == "2.5" and convert.to_text("  ") is None and convert.to_text(None) is None
