import pytest
from django.db import DatabaseError, connection, transaction

from unionhub.core import audit
from unionhub.core.models import AppendOnlyError, AuditEntry
from unionhub.core.request_context import reset_current_ip, set_current_ip


def test_secrets_are_masked_before_they_are_stored(tree, officer):
    token = set_current_ip("10.1.2.3")
    try:
        entry = audit.record(
            actor=officer,
            action="workers.worker.created",
            target=tree.union_a,
            data={
                "id_number": "320206198001011234",
                "mobile": "13812345678",
                "password": "hunter22",
                "nested": {
                    "api_token": "abc",
                    "changes": {"mobile": ["13800000000", "13912345678"]},
                },
                "name": "王小明",
            },
        )
    finally:
        reset_current_ip(token)
    entry.refresh_from_db()
    assert entry.data["id_number"] == "320206********1234"
    assert entry.data["mobile"] == "138****5678"
    assert entry.data["password"] == "***"
    assert entry.data["nested"]["api_token"] == "***"
    assert entry.data["nested"]["changes"]["mobile"] == ["138****0000", "139****5678"]
    assert entry.data["name"] == "王小明"
    assert entry.ip_address == "10.1.2.3"
    assert entry.organization == tree.union_a
    assert entry.actor == officer


def test_entries_cannot_be_changed_or_deleted_through_the_orm(tree, officer):
    entry = audit.record(actor=officer, action="orgs.organization.updated", target=tree.union_a)
    entry.action = "something.else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_the_database_refuses_an_update_even_in_raw_sql(tree, officer):
    entry = audit.record(actor=officer, action="orgs.organization.updated", target=tree.union_a)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'x' WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.action == "orgs.organization.updated"


@pytest.mark.postgres
def test_postgres_also_refuses_a_raw_delete(tree, officer):
    entry = audit.record(actor=officer, action="orgs.organization.updated", target=tree.union_a)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_an_action_is_described_in_the_active_language(tree, officer):
    from django.utils import translation

    entry = audit.record(actor=officer, action="workers.worker.id_revealed", target=tree.union_a)
    with translation.override("en"):
        assert entry.description == "viewed the full ID number"
    unknown = audit.record(actor=officer, action="nobody.knows", target=tree.union_a)
    assert unknown.description == "nobody.knows"


def test_auditors_see_entries_of_their_scope_only(tree, viewer, officer, outsider):
    mine = audit.record(actor=officer, action="a.b.c", target=tree.union_a)
    theirs = audit.record(actor=outsider, action="a.b.c", target=tree.union_b)
    visible = set(AuditEntry.objects.visible_to(viewer))
    assert mine in visible
    assert theirs not in visible
    # Station staff may not read the audit log at all.
    assert not AuditEntry.objects.visible_to(officer).exists()
