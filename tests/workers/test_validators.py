import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from unionhub.core.validators import is_mobile, normalize_mobile, validate_mobile
from unionhub.workers.validators import (
    id_number_birth_date,
    id_number_gender,
    normalize_id_number,
    validate_id_number,
)


def build(region: str, birth: datetime.date, sequence: int) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


regions = st.sampled_from(["320206", "320211", "341221", "510722", "110105", "990000"])
births = st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2010, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


@given(regions, births, sequences)
def test_every_well_formed_number_is_accepted(region, birth, sequence):
    number = build(region, birth, sequence)
    validate_id_number(number)
    assert id_number_birth_date(number) == birth
    assert id_number_gender(number) == ("male" if sequence % 2 else "female")


@given(regions, births, sequences, st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_changing_any_one_digit_breaks_the_check_digit(region, birth, sequence, position, delta):
    number = build(region, birth, sequence)
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(ValidationError) as error:
        validate_id_number(changed)
    assert error.value.code in {"id_checksum", "id_birth_date"}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("32020619800101123", "id_length"),
        ("3202061980010112345", "id_length"),
        ("32020619800101123A", "id_format"),
        ("32020A198001011234", "id_format"),
    ],
)
def test_malformed_numbers_say_what_is_wrong(value, code):
    with pytest.raises(ValidationError) as error:
        validate_id_number(value)
    assert error.value.code == code


def test_an_impossible_birth_date_is_refused_even_with_a_right_check_digit():
    body = "32020619800230123"  # 30 February
    number = body + ric.calc_check_digit(body + "0")
    with pytest.raises(ValidationError) as error:
        validate_id_number(number)
    assert error.value.code == "id_birth_date"
    future = build("320206", datetime.date.today() + datetime.timedelta(days=30), 1)
    with pytest.raises(ValidationError):
        validate_id_number(future)


def test_an_unknown_region_code_is_not_refused():
    validate_id_number(build("990000", datetime.date(1990, 5, 1), 12))


def test_a_lower_case_x_and_spaces_are_normalised():
    number = build("320206", datetime.date(1988, 8, 8), 0)
    while not number.endswith("X"):
        number = build("320206", datetime.date(1988, 8, 8), int(number[14:17]) + 1)
    assert normalize_id_number(f" {number[:-1]} x ".replace(" x", "x")) == number


def test_full_width_digits_and_x_from_a_chinese_keyboard_are_read_as_ascii():
    number = build("320206", datetime.date(1988, 8, 8), 0)
    while not number.endswith("X"):
        number = build("320206", datetime.date(1988, 8, 8), int(number[14:17]) + 1)
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in number.lower())  # ３２０…ｘ
    assert normalize_id_number(full_width) == number
    validate_id_number(full_width)
    arabic_indic = "".join(chr(0x0660 + int(ch)) if ch.isdigit() else ch for ch in number)
    with pytest.raises(ValidationError) as error:
        validate_id_number(arabic_indic)
    assert error.value.code == "id_format"


@pytest.mark.parametrize(
    "value",
    [
        "13812345678",
        "+86 138 1234 5678",
        "86-138-1234-5678",
        "19912345678",
        "１３８１２３４５６７８",  # full-width digits from a Chinese keyboard
    ],
)
def test_mainland_mobile_numbers_are_accepted_in_any_spelling(value):
    validate_mobile(value)
    assert is_mobile(normalize_mobile(value))


@pytest.mark.parametrize(
    "value", ["1381234567", "23812345678", "051083590120", "abc", "10012345678"]
)
def test_other_numbers_are_refused(value):
    with pytest.raises(ValidationError):
        validate_mobile(value)
