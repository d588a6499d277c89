"""How personal data is shown by default: masked (PIPL)."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """``320206199001011234`` → ``320206********1234``."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_mobile(value: str | None) -> str:
    """``13812345678`` → ``138****5678``; a landline ``0510-83001234`` → ``051******1234``. A
    number too short to hide anything between its first three and last four is all stars."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_name(value: str | None) -> str:
    """Public lists (公示): ``王小明`` → ``王*明``, ``李娜`` → ``李*``, ``欧阳建国`` → ``欧**国``"""
    if not value:
        return ""
    if len(value) == 1:
        return "*"
    if len(value) == 2:
        return f"{value[0]}*"
    return f"{value[0]}{'*' * (len(value) - 2)}{value[-1]}"
