import pytest

from unionhub.core.masking import mask_mobile


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("13812345678", "138****5678"),
        ("0510-83001234", "051******1234"),
        ("8300123", "*******"),  # too short to keep both ends: nothing of it shown
        ("", ""),
    ],
)
def test_a_phone_number_is_masked_between_its_first_three_and_last_four(number, masked):
    assert mask_mobile(number) == masked
