import datetime

import pytest
from django.utils import translation

from unionhub.core.i18n import duration_text


@pytest.mark.parametrize(
    ("span", "zh", "en"),
    [
        (datetime.timedelta(hours=23, minutes=55), "23 小时 55 分", "23 hours 55 minutes"),
        (
            datetime.timedelta(hours=23, minutes=59, seconds=59),
            "23 小时 59 分",
            "23 hours 59 minutes",
        ),
        (datetime.timedelta(hours=1), "1 小时", "1 hour"),
        (datetime.timedelta(hours=1, minutes=1), "1 小时 1 分", "1 hour 1 minute"),
        (datetime.timedelta(minutes=59, seconds=59), "59 分钟", "59 minutes"),
        (datetime.timedelta(seconds=59), "不到 1 分钟", "less than a minute"),
        (datetime.timedelta(seconds=-5), "不到 1 分钟", "less than a minute"),
    ],
)
def test_a_span_is_said_in_whole_minutes_never_rounded_up(span, zh, en):
    with translation.override("zh-hans"):
        assert duration_text(span) == zh
    with translation.override("en"):
        assert duration_text(span) == en
