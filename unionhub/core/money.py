"""Money: ``Decimal`` yuan with two places, one rounding rule, never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
MAX_DIGITS = 14


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


def _fen_to_yuan(value, expression, connection):
    if value is None:
        return None
    return (Decimal(value) / 100).quantize(CENT)
