"""The zh-hans catalogue is complete: nothing untranslated, nothing fuzzy, placeholders intact."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[1] / "locale/zh_Hans/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def messages():
    with CATALOGUE.open("rb") as handle:
        return [m for m in read_po(handle) if m.id]


def test_every_message_has_a_chinese_translation():
    missing = [m.id for m in messages() if not m.string or not all(m.string)]
    assert missing == []


def test_no_translation_is_fuzzy():
    assert [m.id for m in messages() if m.fuzzy] == []


def test_translations_keep_their_placeholders():
    broken = []
    for message in messages():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                broken.append(ids[0])
    assert broken == []


def test_a_request_is_called_one_thing_in_chinese():
    """诉求, as in the portal's navigation, list and timeline; 求助 only in "求助职工" (the worker
    who asks, on the staff's intake form)."""
    strings = []
    for message in messages():
        strings += message.string if isinstance(message.string, tuple) else [message.string]
    assert [s for s in strings if "求助" in s.replace("求助职工", "")] == []
