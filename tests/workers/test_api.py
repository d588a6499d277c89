from django.urls import reverse

from tests.factories import FamilyMemberFactory, WorkerFactory


def test_the_list_is_scoped_and_masks_numbers(tree, officer, worker, worker_b, login):
    body = login(officer).get(reverse("api:worker-list")).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == str(worker.public_id)
    assert row["id_number"] == worker.id_number_masked
    assert row["mobile"] == worker.mobile_masked
    assert row["enterprise_name"] == tree.enterprise_a.name


def test_the_detail_includes_the_family_and_answers_404_across_stations(
    tree, officer, outsider, worker, login
):
    FamilyMemberFactory(worker=worker, name="王子涵")
    url = reverse("api:worker-detail", args=[worker.public_id])
    body = login(officer).get(url).json()
    assert [m["name"] for m in body["family"]] == ["王子涵"]
    assert worker.id_number not in str(body)
    assert login(outsider).get(url).status_code == 404


def test_search_by_tail_and_refusal_of_full_numbers(tree, officer, worker, login):
    client = login(officer)
    url = reverse("api:worker-list")
    assert client.get(url, {"search": worker.mobile[-4:]}).json()["count"] == 1
    assert client.get(url, {"search": worker.mobile}).status_code == 400


def test_a_filter_on_an_outside_organisation_answers_like_an_unknown_one(
    tree, officer, worker_b, login
):
    client = login(officer)
    url = reverse("api:worker-list")
    outside = client.get(url, {"organization": tree.union_b.pk})
    unknown = client.get(url, {"organization": 987654})
    assert outside.status_code == unknown.status_code == 400
    assert outside.json() == unknown.json()
    outside = client.get(url, {"enterprise": tree.enterprise_b.pk})
    unknown = client.get(url, {"enterprise": 987654})
    assert outside.status_code == unknown.status_code == 400
    assert client.get(url, {"organization": tree.union_a.pk}).status_code == 200


def test_view_only_roles_cannot_rebuild_a_full_id_number(tree, viewer, worker, login):
    """The mask hides the birth date; showing the birth date next to it would undo the mask."""
    client = login(viewer)
    birth = worker.birth_date
    for response in (
        client.get(reverse("api:worker-list")),
        client.get(reverse("api:worker-detail", args=[worker.public_id])),
        client.get(reverse("workers:worker-list")),
        client.get(reverse("workers:worker-detail", args=[worker.public_id])),
    ):
        text = response.content.decode()
        assert birth.isoformat() not in text
        assert birth.strftime("%Y%m%d") not in text
        assert worker.id_number not in text
        assert worker.mobile not in text


def test_the_list_makes_the_same_number_of_queries_as_rows_grow(
    tree, district_admin, login, count_queries
):
    client = login(district_admin)
    url = reverse("api:worker-list")
    WorkerFactory(organization=tree.union_a, enterprise=tree.enterprise_a)
    client.get(url)
    with count_queries() as small:
        client.get(url)
    for _ in range(30):
        WorkerFactory(organization=tree.union_b, enterprise=tree.enterprise_b)
    with count_queries() as large:
        assert client.get(url).json()["count"] == 31
    assert len(large) == len(small) <= 5
