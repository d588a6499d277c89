from django.urls import reverse

from unionhub.notifications.models import Notification
from unionhub.notifications.services import notify


def tell(user, count, title="诉求UH-2026-000001已受理。"):
    for _ in range(count):
        notify(recipients=[user], kind="case_update", title=title, url="/portal/requests/x/")


def test_a_caller_reads_and_marks_only_their_own_notifications(
    tree, officer, outsider, worker, login
):
    tell(worker.user, 2)
    tell(outsider, 1, title="他人的消息")
    client = login(worker.user)
    body = client.get(reverse("api:notification-list")).json()
    assert body["count"] == 2
    assert {row["title"] for row in body["results"]} == {"诉求UH-2026-000001已受理。"}
    assert all(row["read"] is False for row in body["results"])
    first = body["results"][0]["id"]
    marked = client.post(reverse("api:notification-read", args=[first])).json()
    assert marked["read"] is True and marked["read_at"]
    assert client.get(reverse("api:notification-list"), {"unread": "true"}).json()["count"] == 1
    assert client.get(reverse("api:notification-list"), {"unread": "false"}).json()["count"] == 1
    # Someone else's answers 404, by look-up and by marking; nothing of theirs changes.
    theirs = Notification.objects.get(recipient=outsider)
    assert client.get(reverse("api:notification-detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("api:notification-read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("api:notification-read-all")).json() == {"marked": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_bad_unread_filter_is_refused_in_plain_words(tree, worker, login):
    tell(worker.user, 1)
    response = login(worker.user).get(reverse("api:notification-list"), {"unread": "maybe"})
    assert response.status_code == 400
    assert response.json()["unread"] == ["请填写true或false。"]


def test_the_notification_list_makes_the_same_number_of_queries_as_rows_grow(
    tree, officer, login, count_queries
):
    client = login(officer)
    url = reverse("api:notification-list")
    tell(officer, 1)
    client.get(url)
    with count_queries() as small:
        client.get(url)
    tell(officer, 40)
    with count_queries() as large:
        body = client.get(url).json()
    assert (body["count"], len(body["results"])) == (41, 25)
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
