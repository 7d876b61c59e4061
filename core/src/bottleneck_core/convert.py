"""Cell converters: turn what a spreadsheet cell holds into the pipeline's types.

Each converter takes one cell value and returns the converted value, ``None`` for an
empty cell, or raises :class:`BadValue` saying (in both languages) what was expected.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
#: Sane bounds (documented in docs/core.md): a bottle costs at most one million euros, and a
#: quantity (sales, stock) is at most one billion, so price × quantity (≤ 10^15 €) always fits
#: the exact money type (18 digits, 2 after the point) instead of overflowing it.
MAX_PRICE = Decimal("1000000")
MAX_QUANTITY = 1_000_000_000
FLOAT_NOISE = Decimal("0.000001")  # how far from a whole cent a float price may be (binary noise)
_DATES = (dt.date, dt.datetime, dt.time, dt.timedelta)


class BadValue(ValueError):
    def __init__(self, en: str, fr: str):
        super().__init__(en)
        self.en, self.fr = en, fr


def _shown(value) -> str:
    """A cell value as the user typed it: Excel stores 2 as the float 2.0, shown here as 2."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _empty(value) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def _reject_dates(value, en: str, fr: str) -> None:
    if isinstance(value, _DATES):
        raise BadValue(f"{en}, got a date ({value})", f"{fr}, reçu une date ({value})")
    if isinstance(value, bool):
        raise BadValue(f"{en}, got a boolean ({value})", f"{fr}, reçu un booléen ({value})")


def to_key(value) -> str | None:
    """An identifier compared as normalised text: 4954, 4954.0 and ' 4954 ' are all '4954'."""
    if _empty(value):
        return None
    _reject_dates(value, "expected an id (integer or text)", "attendu un identifiant (entier ou texte)")
    if isinstance(value, (float, Decimal)):
        if value != int(value):
            raise BadValue(
                f"expected an id (integer or text), got the decimal number {value}",
                f"attendu un identifiant (entier ou texte), reçu le nombre décimal {value}",
            )
        return str(int(value))
    return str(value).strip()


def to_text(value) -> str | None:
    if _empty(value):
        return None
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).strip()


def to_int(value) -> int | None:
    if _empty(value):
        return None
    _reject_dates(value, "expected a whole number", "attendu un nombre entier")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise BadValue(
            f"expected a whole number, got {_shown(value)}", f"attendu un nombre entier, reçu {_shown(value)}"
        )
    if abs(number) > MAX_QUANTITY:
        raise BadValue(
            f"expected a quantity between -{MAX_QUANTITY:,} and {MAX_QUANTITY:,}, got {_shown(value)}",
            f"attendu une quantité entre -{MAX_QUANTITY:,} et {MAX_QUANTITY:,}".replace(",", "\u202f")
            + f", reçu {_shown(value)}",
        )
    return int(number)


def to_flag(value) -> int | None:
    number = to_int(value)
    if number not in (None, 0, 1):
        raise BadValue(f"expected 0 or 1, got {_shown(value)}", f"attendu 0 ou 1, reçu {_shown(value)}")
    return number


def to_money(value) -> Decimal | None:
    """An amount in euros, exact to the cent.

    Excel stores numbers as binary floats: 24.2 is read as 24.199999999999999. The
    shortest text that round-trips (``repr``) is '24.2', which is what the user typed.
    A value with a real fraction of a cent is refused rather than silently rounded.
    """
    if _empty(value):
        return None
    _reject_dates(value, "expected a price in euros", "attendu un prix en euros")
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else str(value).strip().replace(",", "."))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise BadValue(
            f"expected a price in euros, got {_shown(value)}", f"attendu un prix en euros, reçu {_shown(value)}"
        )
    if abs(amount) > MAX_PRICE:
        raise BadValue(
            f"expected a price between -1,000,000 and 1,000,000 euros, got {_shown(value)}",
            f"attendu un prix entre -1\u202f000\u202f000 et 1\u202f000\u202f000 euros, reçu {_shown(value)}",
        )
    cents = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    # A float computed in Excel (=11.7*2 is 23.400000000000002) carries binary noise far below a
    # cent: that much is tolerated. Text and decimals are what the user typed: exact or refused.
    noise = FLOAT_NOISE if isinstance(value, float) else 0
    if abs(cents - amount) > noise:
        raise BadValue(
            f"expected a price with at most 2 decimals, got {_shown(value)}",
            f"attendu un prix avec au plus 2 décimales, reçu {_shown(value)}",
        )
    return cents


# --- Column-at-a-time fast paths for typed CSV/Parquet columns (large instances) --------------
# Each returns the converted Arrow array, or None when the column needs the cell-by-cell
# converter above (which also produces the precise error message naming the row).


def _fast_text(column):
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_integer(column.type):
        return pc.cast(column, pa.string())
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type) or pa.types.is_null(column.type)):
        return None
    trimmed = pc.utf8_trim_whitespace(pc.cast(column, pa.string()))
    return pc.if_else(pc.equal(trimmed, ""), None, trimmed)


def _within(column, bound) -> bool:
    import pyarrow.compute as pc

    low, high = pc.min_max(column).values()
    return (low.as_py() is None or -bound <= low.as_py()) and (high.as_py() is None or high.as_py() <= bound)


def _fast_int(column):
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_null(column.type):
        return pc.cast(column, pa.int64())
    if pa.types.is_integer(column.type) and _within(column, MAX_QUANTITY):
        return pc.cast(column, pa.int64())
    return None


def _fast_flag(column):
    import pyarrow.compute as pc

    values = _fast_int(column)
    if values is None:
        return None
    low, high = pc.min_max(values).values()
    return values if low.as_py() in (None, 0, 1) and high.as_py() in (None, 0, 1) else None


def _fast_money(column, decimal_type):
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_integer(column.type):  # through int32 (within the bounds): int64 → decimal needs 21 digits
        return pc.cast(pc.cast(column, pa.int32()), decimal_type) if _within(column, int(MAX_PRICE)) else None
    if pa.types.is_decimal(column.type) and column.type.scale <= 2:
        return pc.cast(column, decimal_type) if _within(column, int(MAX_PRICE)) else None
    if not pa.types.is_floating(column.type):
        return None  # e.g. a decimal with sub-cent digits: the cell converter checks each value
    if pc.any(pc.invert(pc.is_finite(column))).as_py() or not _within(column, float(MAX_PRICE)):
        return None  # nan, inf or out of bounds: the cell converter names the row
    cents = pc.multiply(column, 100.0)
    off = pc.max(pc.abs(pc.subtract(cents, pc.round(cents)))).as_py()
    if off is not None and off > 1e-4:
        return None  # a fraction of a cent somewhere: let the cell converter name the row
    return pc.cast(pc.round(column, 2), decimal_type)


def fast_column(converter, column, arrow_type):
    """Convert a whole typed column at once when its type allows it, else None."""
    if converter in (to_key, to_text):
        return _fast_text(column)
    if converter is to_int:
        return _fast_int(column)
    if converter is to_flag:
        return _fast_flag(column)
    if converter is to_money:
        return _fast_money(column, arrow_type)
    return None
