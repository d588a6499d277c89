from decimal import Decimal

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from unionhub.core.money import format_yuan, to_money


def test_it_rounds_half_up_to_the_fen():
    assert to_money("2.345") == Decimal("2.35")
    assert to_money("2.344") == Decimal("2.34")
    assert to_money("-2.345") == Decimal("-2.35")
    assert to_money(3) == Decimal("3.00")


def test_it_refuses_floats_and_bools():
    with pytest.raises(TypeError):
        to_money(0.1)
    with pytest.raises(TypeError):
        to_money(True)


def test_it_refuses_text_that_is_not_an_amount():
    for bad in ["", "abc", "NaN", "Infinity"]:
        with pytest.raises(ValueError):
            to_money(bad)


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=4))
def test_rounding_never_moves_more_than_half_a_fen(value):
    assert abs(to_money(value) - value) <= Decimal("0.005")


def test_yuan_is_formatted_with_thousands_and_two_places():
    assert format_yuan(Decimal("300000")) == "¥300,000.00"
    assert format_yuan(Decimal("-12.5")) == "-¥12.50"


def test_the_template_filter_refuses_anything_but_a_decimal():
    template = Template("{% load unionhub %}{{ amount|yuan }}")
    assert template.render(Context({"amount": Decimal("1234.5")})) == "¥1,234.50"
    with pytest.raises(TypeError):
        template.render(Context({"amount": 1234.5}))
