"""The password pages speak to the user as 您, Django's own messages included."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.urls import reverse
from django.utils import translation

from unionhub.accounts import django_messages


def test_the_listed_msgids_are_the_ones_django_uses():
    """Were Django to reword one, ours would no longer apply: this says so."""
    with translation.override("en"):
        wrong = str(PasswordChangeForm.error_messages["password_incorrect"])
        helps = [str(text) for text in password_validators_help_texts()]
        listed = [
            django_messages.SIMILAR_HELP,
            django_messages.MINIMUM_LENGTH_HELP % {"min_length": 8},
            django_messages.COMMON_HELP,
            django_messages.NUMERIC_HELP,
        ]
    assert wrong == django_messages.OLD_PASSWORD_WRONG
    assert helps == listed


@pytest.mark.parametrize("min_length", [1, 8])
def test_each_reads_with_nin_in_chinese(min_length):
    with translation.override("zh-hans"):
        said = [translation.gettext(msgid) for msgid in django_messages.MSGIDS]
        said.append(str(django_messages.MINIMUM_LENGTH_HELP % {"min_length": min_length}))
    assert all("您" in text and "你" not in text for text in said), said


@pytest.mark.parametrize("name", ["portal:password-change", "accounts:password-change"])
def test_the_password_page_never_says_ni(worker, officer, login, name):
    user = worker.user if name.startswith("portal") else officer
    client = login(user)
    page = client.post(
        reverse(name),
        {"old_password": "wrong", "new_password1": "12345678", "new_password2": "12345678"},
    ).content.decode()
    text = re.sub(r"<[^>]+>", " ", page)
    assert "您的旧密码不正确，请重新输入。" in text
    assert "您的密码不能与您的其他个人信息太相似。" in text
    assert "您的密码至少需要 8 个字符。" in text
    assert "你" not in text
