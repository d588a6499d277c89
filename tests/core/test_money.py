from decimal import Decimal

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from unionhub.core.money import format_yuan, to_money, yuan_in_capitals


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


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("100000", "壹拾万元整"),
        ("300000.00", "叁拾万元整"),
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("1005.08", "壹仟零伍元零捌分"),
        ("10.50", "壹拾元伍角整"),
        ("0.05", "伍分"),
        ("0", "零元整"),
        ("100100", "壹拾万零壹佰元整"),
        ("1000001", "壹佰万零壹元整"),
        ("100000001", "壹亿零壹元整"),
        ("120000000", "壹亿贰仟万元整"),
        ("2000.30", "贰仟元叁角整"),
    ],
)
def test_amounts_in_capitals_as_on_a_chinese_receipt(amount, words):
    assert yuan_in_capitals(Decimal(amount)) == words
