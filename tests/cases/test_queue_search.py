"""The queue's search: a mobile tail finds that mobile, several words find all of them."""

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import WorkerFactory
from unionhub.cases.forms import search
from unionhub.cases.models import Case
from unionhub.cases.services import _search_text


def found(client, q: str) -> set[str]:
    response = client.get(reverse("cases:case-list"), {"status": "all", "q": q})
    assert not response.context["form"].errors, response.context["form"].errors
    return {case.reference for case in response.context["page"]}


@pytest.fixture
def opened(tree, submit):
    """``opened(mobile, reference=None, **request)``: a request of a new worker of union A with
    that mobile, under that reference when given."""

    def _opened(mobile: str, reference: str | None = None, **values):
        worker = WorkerFactory(
            organization=tree.union_a, enterprise=tree.enterprise_a, mobile=mobile
        )
        case = submit(worker=worker, **values)
        if reference:
            text = _search_text(reference, worker, case.summary, case.description)
            Case.objects.filter(pk=case.pk).update(reference=reference, search_text=text)
            case.refresh_from_db()
        return case

    return _opened


def test_a_tail_as_the_queue_shows_it_finds_that_mobile_and_no_reference(officer, opened, login):
    mine = opened("13912340077")
    in_reference = opened("13955556666", reference="HS-2026-000771")
    ending = opened("13955557777", reference="HS-2025-000077")
    in_text = opened("13955558888", description="企业先行垫付10077元医药费，申请补助。")
    client = login(officer)
    for q in ("尾号0077", "尾号 0077", "尾号340077", "340077"):
        assert found(client, q) == {mine.reference}, q
    # A bare number is also an ID tail, a number in the text or the end of a reference; a
    # reference that only holds it in the middle is another worker's request.
    assert found(client, "0077") == {mine.reference, ending.reference, in_text.reference}
    assert in_reference.reference not in found(client, "0077")
    assert found(client, "000771") == {in_reference.reference}  # a reference's number in full


def test_a_tail_and_a_name_find_the_request_with_both(officer, opened, login):
    from unionhub.workers.services import worker_update

    wanted = opened("13912340077")
    worker_update(actor=officer, worker=wanted.worker, name="周火生")
    namesake = opened("13955556666")
    worker_update(actor=officer, worker=namesake.worker, name="周火生")
    assert found(login(officer), "周火生 尾号0077") == {wanted.reference}


def test_words_apart_find_the_requests_that_hold_every_one_of_them(officer, opened, login):
    from unionhub.workers.services import worker_update

    both = opened("13912340077", summary="家中失火", description="本人救火时烧伤，已住院治疗。")
    worker_update(actor=officer, worker=both.worker, name="周火生")
    fire = opened("13955556666", summary="家中失火", description="房屋受损，暂住亲戚家。")
    hospital = opened("13955557777", summary="住院费用", description="手术后住院两周。")
    client = login(officer)
    assert found(client, "失火") == {both.reference, fire.reference}
    assert found(client, "住院") == {both.reference, hospital.reference}
    for q in (
        "失火 住院",
        "住院 失火",
        "失火\u3000住院",
        " 失火  住院 ",
    ):  # \u3000: a Chinese space
        assert found(client, q) == {both.reference}, q
    # A name typed apart finds it written together, in characters as in pinyin.
    for q in ("周 火生", "周火生", "zhou huosheng", "Zhou Huo Sheng", "zhs"):
        assert found(client, q) == {both.reference}, q
    assert found(client, "失火 不存在") == set()
    assert found(client, f"{both.reference} 住院") == {both.reference}


def test_the_api_searches_as_the_queue_does(officer, opened, login):
    both = opened("13912340077", summary="家中失火", description="本人烧伤住院。")
    opened("13955556666", reference="HS-2026-000771", summary="家中失火")
    client = login(officer)

    def api(q: str) -> set[str]:
        body = client.get(reverse("api:case-list"), {"status": "all", "q": q}).json()
        return {row["reference"] for row in body["results"]}

    assert api("失火 住院") == api("尾号0077") == {both.reference}


def test_a_full_number_typed_in_parts_is_still_refused(officer, opened, login):
    case = opened("13912340077")
    response = login(officer).get(
        reverse("cases:case-list"), {"q": f"{case.worker.mobile[:5]} {case.worker.mobile[5:]}"}
    )
    assert response.context["form"].errors["q"]
    assert not list(response.context["page"])


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is small: ask the index
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.parametrize(
    "q", ["烧伤住院 救火时", "尾号0077", "0077", "340077", "尾号340077", "hs-2026-000771"]
)
def test_no_search_needs_to_read_the_whole_table(opened, q):
    """Every word narrows through an index (the trigram index of the search column, or the
    workers' mobile tails); what else a word asks is checked on the rows found. Words of one or
    two characters have no trigram to narrow by: the scope's index does (as before)."""
    opened("13912340077", summary="家中失火", description="本人救火时烧伤住院。")
    plan = _plan(search(Case.objects.order_by(), q))
    assert "Seq Scan" not in plan, plan  # (refused seq scans still show when nothing else fits)
