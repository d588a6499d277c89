"""Pinyin keys for Chinese names: sorting in pinyin order and searching by pinyin or initials."""

from __future__ import annotations

from pypinyin import lazy_pinyin


def pinyin_key(text: str) -> str:
    """``王小明`` → ``"wangxiaoming wxm"``: the full pinyin (sorts as a Chinese reader expects)
    and the initials (what staff type to find someone quickly)."""
    syllables = [s.lower() for s in lazy_pinyin(text or "") if s.strip()]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables)
    return f"{full} {initials}"[:200]


def is_pinyin_query(term: str) -> bool:
    return len(term) >= 2 and term.isascii() and term.isalpha()
