"""Finding the worker at intake: the caller reads out their whole number, and it is found."""

import pytest
from django.urls import reverse

from tests.factories import WorkerFactory, make_id_number

FIND = "cases:find-worker"


def posted(client, q: str) -> str:
    response = client.post(reverse(FIND), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "as_read",
    [
        lambda m: m,
        lambda m: f"{m[:3]} {m[3:7]} {m[7:]}",
        lambda m: f"{m[:3]}-{m[3:7]}-{m[7:]}",
        lambda m: f"+86 {m}",
    ],
)
def test_a_whole_mobile_number_finds_the_worker(officer, worker, login, as_read):
    page = posted(login(officer), as_read(worker.mobile))
    assert worker.name in page and worker.mobile_masked in page
    assert worker.mobile not in page  # shown masked, as always


def test_a_whole_id_number_finds_the_worker_and_a_slip_is_said_at_once(officer, worker, login):
    client = login(officer)
    assert worker.name in posted(client, worker.id_number.lower())
    slip = worker.id_number[:-1] + str((int(worker.id_number[-1].replace("X", "0")) + 1) % 10)
    page = posted(client, slip)
    assert worker.name not in page and "身份证号校验位不符" in page


def test_a_whole_number_outside_the_scope_is_not_found_as_if_unknown(officer, worker_b, login):
    client = login(officer)
    unknown = "13912345678"
    for number, masked in ((worker_b.mobile, worker_b.mobile_masked), (unknown, "139****5678")):
        page = posted(client, number)
        assert worker_b.name not in page and number not in page
        assert f"在您的组织中没有手机号为{masked}的职工。如尚未登记，请在下方登记。" in page
    page = posted(client, worker_b.id_number)
    assert worker_b.name not in page and worker_b.id_number not in page
    assert f"没有身份证号为{worker_b.id_number_masked}的职工" in page


def test_what_is_said_is_about_what_is_in_the_box_now(officer, worker, login):
    """Typed digit by digit, a mobile is a tail first, then on its way, then whole."""
    client = login(officer)
    keep_typing = "请继续输入：完整的手机号（11位）或身份证号（18位）可直接查到职工"
    number = worker.mobile
    for typed in range(1, len(number) + 1):
        page = posted(client, number[:typed])
        if typed < 4 or 7 <= typed <= 10:
            assert keep_typing in page and "<li" not in page, typed
        elif typed == 11:
            assert worker.name in page
    WorkerFactory(organization=worker.organization, mobile="13900001533")
    assert "如有完整号码，请全部输入" not in posted(client, "1533")  # found: a list, no note
    page = posted(client, "7531")
    assert "在您的组织中没有手机号或身份证号后4位为7531的职工。如有完整号码，请全部输入。" in page
    page = posted(client, "97531")
    assert "没有手机号末尾为97531的职工" in page
    assert "都长" in posted(client, number + "12345678")
    assert "不要同时输入" in posted(client, f"王 {number}")


def test_a_whole_number_is_taken_only_when_posted(officer, worker, login):
    """By GET it would be in the address and the server's log: tails only, as before."""
    client = login(officer)
    refused = client.get(reverse(FIND), {"q": worker.mobile}).content.decode()
    assert worker.name not in refused and "只能按后4–6位搜索" in refused
    assert worker.name in client.get(reverse(FIND), {"q": worker.mobile[-4:]}).content.decode()


def test_the_intake_page_posts_its_search_alone(officer, login):
    page = login(officer).get(reverse("cases:case-create")).content.decode()
    search = page[page.index('id="worker-search"') :].split(">", 1)[0]
    assert f'hx-post="{reverse(FIND)}"' in search and 'hx-params="q"' in search
    assert "pattern=" not in search  # a whole number is no longer stopped in the browser


def test_a_worker_searched_by_id_number_is_found_among_many(tree, officer, login):
    number = make_id_number()
    wanted = WorkerFactory(
        name="周火生", organization=tree.union_a, raw_id=number, id_tail=number[-4:]
    )
    for _ in range(3):
        WorkerFactory(organization=tree.union_a)
    page = posted(login(officer), number)
    assert page.count("<li") == 1 and wanted.name in page


def test_a_number_posted_to_the_search_is_hidden_from_error_reports(officer, worker, rf):
    from django.views.debug import SafeExceptionReporterFilter

    from unionhub.cases.views import find_worker

    request = rf.post(reverse(FIND), {"q": worker.mobile})
    request.user = officer
    find_worker(request)
    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    assert worker.mobile not in str(shown) and shown["q"] != worker.mobile
