"""Pinyin keys for Chinese names: sorting in pinyin order and searching by pinyin or initials."""

from __future__ import annotations

import re

from pypinyin import lazy_pinyin

# Surnames read otherwise than the character's everyday reading (曾 is "zeng" as a surname, not
# "ceng"). Only the first character of a person's name is read this way.
SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha", "朴": "piao",
    "盖": "ge", "乐": "yue", "覃": "qin", "缪": "miao", "翟": "zhai", "种": "chong", "折": "she",
    "秘": "bi", "柏": "bai", "繁": "po", "召": "shao", "隗": "wei", "尉": "wei", "员": "yun",
}  # fmt: skip
# Two-character surnames whose first character would otherwise take the single reading above.
COMPOUND_SURNAMES = {"尉迟": ["yu", "chi"], "单于": ["chan", "yu"]}
# Surnames with two readings in common use (盖 Gě or Gài): the key holds both, so either finds
# the person; the surname reading above comes first and decides the order.
BOTH_READINGS = {"盖", "乐", "覃", "缪"}


def pinyin_key(text: str, *, person: bool = False) -> str:
    """``王小明`` → ``"wangxiaoming wxm"``: the full pinyin (sorts as a Chinese reader expects)
    and the initials (what staff type to find someone quickly). With ``person``, the name's
    first character is read as a surname (曾红 → ``zenghong zh``)."""
    text = text or ""
    everyday = [s.lower() for s in lazy_pinyin(text) if s.strip()]
    syllables = list(everyday)
    if person and syllables:
        compound = COMPOUND_SURNAMES.get(text[:2])
        if compound and len(syllables) >= 2:
            syllables[:2] = compound
        elif text[0] in SURNAME_READINGS:
            syllables[0] = SURNAME_READINGS[text[0]]
    readings = [syllables]
    if person and text[:1] in BOTH_READINGS and everyday != syllables:
        readings.append(everyday)
    keys = []
    for reading in readings:
        keys += ["".join(reading), "".join(s[0] for s in reading)]
    return " ".join(dict.fromkeys(keys))[:200]


def is_pinyin_query(term: str) -> bool:
    return len(term) >= 2 and term.isascii() and term.isalpha()


def compact_pinyin(term: str) -> str:
    """A name typed in pinyin with spaces or apostrophes, as people write it ("Wang Xiaoming",
    "xi'an"), as the keys hold it ("wangxiaoming"); any other term as it was."""
    parts = [part for part in re.split(r"[\s'’·.-]+", term or "") if part]
    if len(parts) > 1 and all(part.isascii() and part.isalpha() for part in parts):
        return "".join(parts).lower()
    return term
