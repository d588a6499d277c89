"""Money: ``Decimal`` yuan with two places, one rounding rule, never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
MAX_DIGITS = 14
# The largest single amount booked (a donation, a payment, a transfer): far above any real one,
# well inside the columns, so a slipped finger is refused with a message rather than posted.
MAX_AMOUNT = Decimal("999999999.99")


def amount_too_large_message() -> str:
    from django.utils.translation import gettext

    return gettext("An amount is at most %(max)s.") % {"max": format_yuan(MAX_AMOUNT)}


def to_money(value: Decimal | int | str) -> Decimal:
    """Return ``value`` as yuan rounded half-up to the fen. Floats are refused: they are inexact."""
    if isinstance(value, float):
        raise TypeError("Money must not be a float; pass a Decimal, an int or a string.")
    if isinstance(value, bool):
        raise TypeError("Money must not be a bool.")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"Not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"Not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_yuan(value: Decimal) -> str:
    """``Decimal('1234.5')`` → ``'¥1,234.50'``; refuses anything that is not a Decimal."""
    if not isinstance(value, Decimal):
        raise TypeError(f"format_yuan needs a Decimal, got {type(value).__name__}")
    amount = to_money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


class MoneyField(models.DecimalField):
    """A yuan amount: ``DecimalField(max_digits=14, decimal_places=2)``."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        if not args:
            kwargs.setdefault("verbose_name", _("amount (yuan)"))
        super().__init__(*args, **kwargs)


class MoneySum(models.Sum):
    """``SUM`` of a money column, exact on every database.

    PostgreSQL sums ``numeric`` exactly. SQLite keeps decimals as floating point and would return
    ``0.00999999999999979`` for a sum of ``0.01``s, so there the column is summed in whole fen as
    integers and turned back into yuan."""

    def __init__(self, expression, **extra) -> None:
        extra.setdefault("output_field", MoneyField())
        super().__init__(expression, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        clone = self.copy()
        source, *rest = clone.get_source_expressions()
        in_fen = Cast(Round(source * models.Value(100)), models.BigIntegerField())
        clone.set_source_expressions([in_fen, *rest])
        return super(MoneySum, clone).as_sql(compiler, connection, **extra_context)

    def get_db_converters(self, connection):
        converters = super().get_db_converters(connection)
        if connection.vendor == "sqlite":
            converters = [*converters, _fen_to_yuan]
        return converters


class MoneySumSubquery(models.Subquery):
    """A subquery whose one value is a ``MoneySum`` (``.values(total=MoneySum(...))``), read back
    in yuan on every database: on SQLite the sum inside comes back in fen (see ``MoneySum``)."""

    def __init__(self, queryset, **extra) -> None:
        extra.setdefault("output_field", MoneyField())
        super().__init__(queryset, **extra)

    def get_db_converters(self, connection):
        converters = super().get_db_converters(connection)
        if connection.vendor == "sqlite":
            converters = [*converters, _fen_to_yuan]
        return converters


def _fen_to_yuan(value, expression, connection):
    if value is None:
        return None
    return (Decimal(value) / 100).quantize(CENT)


_CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CAPITAL_GROUPS = ("", "万", "亿", "万亿")


def _capital_group(number: int) -> str:
    """A group of up to four digits in capitals: 1005 → 壹仟零伍."""
    out, zero = "", False
    for place, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        digit = number // place % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out, zero = out + "零", False
        out += _CAPITAL_DIGITS[digit] + unit
    return out


def yuan_in_capitals(value: Decimal) -> str:
    """The amount as written on Chinese receipts and cheques (人民币大写):
    ``Decimal("100000")`` → ``壹拾万元整``, ``Decimal("1005.08")`` → ``壹仟零伍元零捌分``."""
    amount = to_money(value)
    if amount < 0:
        raise ValueError("Capitals are written for amounts of zero or more.")
    fen_total = int(amount * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    groups = []
    rest = yuan
    while rest:
        groups.append(rest % 10000)
        rest //= 10000
    if len(groups) > len(_CAPITAL_GROUPS):
        raise ValueError("The amount is too large to write in capitals.")
    words, gap = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            gap = bool(words)
            continue
        if words and (gap or group < 1000):
            words += "零"
        words += _capital_group(group) + _CAPITAL_GROUPS[index]
        gap = False
    if jiao == 0 and fen == 0:
        return (words or "零") + "元整"
    tail = ""
    if jiao:
        tail += _CAPITAL_DIGITS[jiao] + "角"
    elif yuan:
        tail += "零"
    tail += _CAPITAL_DIGITS[fen] + "分" if fen else "整"
    return (words + "元" if yuan else "") + tail
