"""A request's timeline is append-only; what was typed on it can be erased at a worker's request
(PIPL), through ``redact`` and nothing else."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from unionhub.cases import services
from unionhub.cases.models import CaseEvent
from unionhub.core.models import AppendOnlyError, RedactionWindow


@pytest.fixture
def note(case, officer):
    services.case_accept(actor=officer, case=case)
    services.case_note(actor=officer, case=case, text="妻子透析，每月医药费约六千元")
    return CaseEvent.objects.get(case=case, kind="note")


def test_typed_text_is_erased_through_redact_only(note):
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.filter(pk=note.pk).update(body="")
    assert CaseEvent.objects.filter(pk=note.pk).redact(body="") == 1
    note.refresh_from_db()
    assert note.body == ""
    assert not RedactionWindow.objects.exists()  # the window closed with the update


def test_the_database_still_refuses_an_update_outside_a_window(note):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_caseevent SET body = 'x' WHERE id = %s", [note.pk])
    note.refresh_from_db()
    assert note.body.startswith("妻子透析")


@pytest.mark.postgres
def test_postgres_refuses_a_delete_even_inside_a_window(note):
    with pytest.raises(DatabaseError), transaction.atomic():
        RedactionWindow.objects.create()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_caseevent WHERE id = %s", [note.pk])
    assert CaseEvent.objects.filter(pk=note.pk).exists()


def test_only_the_typed_text_can_be_erased(note):
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.filter(pk=note.pk).redact(kind="visit")
    # Even inside a window, the database refuses a change to what happened, when or by whom.
    with pytest.raises(DatabaseError), transaction.atomic():
        RedactionWindow.objects.create()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_caseevent SET kind = 'visit' WHERE id = %s", [note.pk])
    note.refresh_from_db()
    assert note.kind == "note"


@pytest.mark.postgres
def test_postgres_refuses_to_commit_a_window_left_open(db):
    with pytest.raises(DatabaseError), transaction.atomic():
        RedactionWindow.objects.create()  # and never removed
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what a commit does: refused
    assert not RedactionWindow.objects.exists()
