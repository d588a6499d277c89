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


def test_only_what_an_entry_says_about_someone_can_be_erased(tree, officer):
    """A person's data deleted (PIPL) takes their name and the values out of the entries about
    them, through ``redact`` only; what was done, by whom and when can never change."""
    from unionhub.core.models import RedactionWindow

    entry = audit.record(
        actor=officer, action="workers.worker.updated", target=tree.union_a,
        data={"changes": {"address": ["旧址", "新址"]}},
    )  # fmt: skip
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).redact(action="x")
    assert AuditEntry.objects.filter(pk=entry.pk).redact(target_label="已删除", data={}) == 1
    entry.refresh_from_db()
    assert (entry.target_label, entry.data, entry.action) == (
        "已删除",
        {},
        "workers.worker.updated",
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        RedactionWindow.objects.create()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditentry SET actor_id = NULL WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.actor_id == officer.pk


def test_every_append_only_table_keeps_its_triggers_after_all_migrations(db):
    """SQLite rebuilds a table to alter a column and drops its triggers with it; a migration that
    alters an append-only table must put them back (``EnsureAppendOnlyTrigger``)."""
    from django.apps import apps

    from unionhub.core.migration_ops import append_only_triggers
    from unionhub.core.models import AppendOnlyModel

    tables = [m._meta.db_table for m in apps.get_models() if issubclass(m, AppendOnlyModel)]
    assert {"core_auditentry", "funds_ledgerentry", "funds_approval", "cases_caseevent"} <= set(
        tables
    )
    for table in tables:
        names = set(append_only_triggers(connection, table))
        assert f"{table}_no_update" in names, table
        if connection.vendor == "postgresql":
            assert f"{table}_no_delete" in names, table


def test_the_audit_time_migration_keeps_the_trigger_both_ways(
    transactional_db, django_db_serialized_rollback
):
    # Serialized rollback: the flush after this test then leaves the content types to the next
    # test's restore (a flush followed by post_migrate would re-create them under new ids, which
    # the next serialized-rollback test could not restore over).
    from django.db.migrations.executor import MigrationExecutor

    from unionhub.core.migration_ops import append_only_triggers

    # Back to every app's latest, so that migrations depending on core come back too.
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    for target in ([("core", "0004_holiday_calendar_2026")], latest):
        executor = MigrationExecutor(connection)
        executor.migrate(target)
        assert "core_auditentry_no_update" in append_only_triggers(connection, "core_auditentry")


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


def test_the_log_page_reads_amounts_in_yuan_times_in_shanghai_and_statuses_by_name(
    tree, officer, district_admin, login
):
    from django.urls import reverse
    from django.utils import translation

    audit.record(
        actor=officer, action="funds.disbursement.advanced", target=tree.union_a,
        data={"amount": "20000.00", "ratify_by": "2025-12-11T14:18:00+00:00", "fund": "hz"},
    )  # fmt: skip
    audit.record(
        actor=officer, action="funds.disbursement.approved", target=tree.union_a,
        data={"approvals": 1, "needed": 2},
    )  # fmt: skip
    audit.record(
        actor=officer, action="cases.case.resolve", target=tree.union_a,
        data={"from": "in_progress", "to": "resolved"},
    )  # fmt: skip
    audit.record(
        actor=officer, action="funds.audit.opened", target=tree.union_a,
        data={"seed": 20261102, "share": "0.30", "population": 41},
    )  # fmt: skip
    html = login(district_admin).get(reverse("core:audit-list")).content.decode()
    for said in [
        "金额：¥20,000.00", "追认期限：2025-12-11 22:18", "审批：1 / 2", "变更：办理中 → 已办结",
        "抽查比例：30%", "期内支付笔数：41", "随机种子：20261102",
    ]:  # fmt: skip
        assert said in html, said
    assert "20000.00" not in html and "in_progress" not in html
    with translation.override("en"):
        rows = AuditEntry.objects.get(action="cases.case.resolve").detail_rows
    assert rows == [("Change", "In progress → Resolved")]


def test_the_log_filters_by_the_area_an_action_belongs_to(tree, officer, district_admin, login):
    from django.urls import reverse

    for action in ("cases.case.accept", "funds.disbursement.paid", "workers.worker.created"):
        audit.record(actor=officer, action=action, target=tree.union_a)
    client = login(district_admin)
    for kind, expected in (("cases.", "cases.case.accept"), ("funds.", "funds.disbursement.paid")):
        page = client.get(reverse("core:audit-list"), {"kind": kind}).context["page"]
        assert [entry.action for entry in page] == [expected], kind


@pytest.mark.parametrize("htmx", [False, True])
def test_a_filter_that_does_not_hold_shows_why_and_no_entries(
    tree, officer, district_admin, login, htmx
):
    """Not the whole log under an error: "cases" is no area of the log (it is "cases.")."""
    from django.urls import reverse

    audit.record(actor=officer, action="cases.case.accept", target=tree.union_a)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = login(district_admin).get(reverse("core:audit-list"), {"kind": "cases"}, **headers)
    assert response.context["form"].errors["kind"]
    assert list(response.context["page"]) == []
    page = response.content.decode()
    assert page.count("cases 不在可用的选项中") == 1  # beside the field, or above the table
    assert "请先更正筛选条件，再查看记录。" in page
    everything = login(district_admin).get(reverse("core:audit-list"))
    assert [entry.action for entry in everything.context["page"]] == ["cases.case.accept"]
