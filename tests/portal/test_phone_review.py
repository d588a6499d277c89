"""What a reviewer found using the portal as a worker on a 375-px phone, each kept fixed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from unionhub.core.forms import UPLOAD_END


@pytest.fixture
def worker_client(worker, login):
    return login(worker.user)


# Limits told before typing ------------------------------------------------------------------------


def test_the_request_form_says_how_long_the_summary_and_description_may_be(worker_client):
    html = worker_client.get(reverse("portal:case-create")).content.decode()
    assert '<div class="form-text" id="id_summary_helptext">最多100字。</div>' in html
    assert "至少5个字，最多2000字：发生了什么事，需要什么帮助。" in html
    # Without the script the browser still stops at the limit; with it, a counter takes over.
    assert 'maxlength="100"' in html and 'maxlength="2000"' in html
    assert '<input type="text" name="summary" data-count' in html
    assert "data-count-words" in html and 'data-left-other="还能输入{n}字"' in html


def test_a_description_over_the_limit_is_refused_with_both_numbers_and_kept(worker_client):
    from unionhub.cases.models import ServiceCategory

    response = worker_client.post(
        reverse("portal:case-create"),
        {
            "category": ServiceCategory.objects.get(code="hardship_relief").pk,
            "summary": "父亲住院",
            "description": "长" * 2100,
            "submission_key": "8a0f3c52-2a4e-4d7b-9f4e-3c1d2b6a7e90",
            UPLOAD_END: "1",
        },
    )
    html = response.content.decode()
    assert "最多填写 2000 个字符，现在有 2100 个。" in html
    assert "长" * 2100 in html
