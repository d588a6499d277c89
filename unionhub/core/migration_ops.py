"""Migration operations that differ by database."""

from __future__ import annotations

from django.db.migrations.operations.base import Operation


class AppendOnlyTrigger(Operation):
    """Make the database itself refuse UPDATE and DELETE on ``table`` (SQLite and PostgreSQL).

    The ORM already refuses them (``core.models.AppendOnlyModel``); the trigger also stops raw SQL
    and other clients. On PostgreSQL ``TRUNCATE`` (used by test tear-down) is not affected. SQLite
    has no TRUNCATE and Django empties tables there with DELETE, so on SQLite, the embedded
    development database, only UPDATE is refused by the database.
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str) -> None:
        self.table = table

    def state_forwards(self, app_label, state) -> None:
        pass

    def _names(self) -> tuple[str, str]:
        return f"{self.table}_no_update", f"{self.table}_no_delete"

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        vendor = schema_editor.connection.vendor
        no_update, no_delete = self._names()
        if vendor == "postgresql":
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION unionhub_refuse_change() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'rows of %% are append-only', TG_TABLE_NAME; END; "
                "$$ LANGUAGE plpgsql"
            )
            for name, event in ((no_update, "UPDATE"), (no_delete, "DELETE")):
                schema_editor.execute(
                    f'CREATE TRIGGER "{name}" BEFORE {event} ON "{self.table}" '
                    "FOR EACH ROW EXECUTE FUNCTION unionhub_refuse_change()"
                )
        elif vendor == "sqlite":
            schema_editor.execute(
                f'CREATE TRIGGER "{no_update}" BEFORE UPDATE ON "{self.table}" '
                f"BEGIN SELECT RAISE(ABORT, 'rows of {self.table} are append-only'); END"
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        vendor = schema_editor.connection.vendor
        for name in self._names():
            if vendor == "postgresql":
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{self.table}"')
            elif vendor == "sqlite":
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"')

    def describe(self) -> str:
        return f"Refuse UPDATE and DELETE on {self.table}"


class RedactableAppendOnlyTrigger(AppendOnlyTrigger):
    """Like ``AppendOnlyTrigger``, except that an UPDATE of the ``erasable`` columns alone is let
    through while a row of ``core_redactionwindow`` exists. Only ``RedactableQuerySet.redact``
    makes one, inside its own transaction, and removes it before the end; on PostgreSQL a
    deferred constraint trigger refuses to commit a transaction that leaves one behind, so to
    every other connection the table stays append-only. DELETE stays refused.

    A later migration that rebuilds this table on SQLite must put this trigger back (not
    ``EnsureAppendOnlyTrigger``'s plain one, which would refuse every erasure).
    """

    def __init__(self, table: str, erasable: list[str]) -> None:
        super().__init__(table)
        self.erasable = erasable

    def deconstruct(self):
        return (self.__class__.__name__, [self.table, self.erasable], {})

    def _kept(self, schema_editor, vendor: str) -> str:
        """SQL that is true when a column other than the erasable ones changed."""
        with schema_editor.connection.cursor() as cursor:
            columns = [
                c.name
                for c in schema_editor.connection.introspection.get_table_description(
                    cursor, self.table
                )
                if c.name not in self.erasable
            ]
        differs = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
        return " OR ".join(f'NEW."{c}" {differs} OLD."{c}"' for c in columns)

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        vendor = schema_editor.connection.vendor
        no_update, _no_delete = self._names()
        if vendor == "postgresql":
            function = f"{self.table}_redact_only"
            schema_editor.execute(
                f'CREATE OR REPLACE FUNCTION "{function}"() RETURNS trigger AS $$ BEGIN '
                "IF EXISTS (SELECT 1 FROM core_redactionwindow) "
                f"AND NOT ({self._kept(schema_editor, vendor)}) THEN RETURN NEW; END IF; "
                "RAISE EXCEPTION 'rows of %% are append-only', TG_TABLE_NAME; END; "
                "$$ LANGUAGE plpgsql"
            )
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{no_update}" ON "{self.table}"')
            schema_editor.execute(
                f'CREATE TRIGGER "{no_update}" BEFORE UPDATE ON "{self.table}" '
                f'FOR EACH ROW EXECUTE FUNCTION "{function}"()'
            )
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION unionhub_redaction_window_closes() "
                "RETURNS trigger AS $$ BEGIN "
                "IF EXISTS (SELECT 1 FROM core_redactionwindow WHERE id = NEW.id) THEN "
                "RAISE EXCEPTION 'a redaction window must close before its transaction ends'; "
                "END IF; RETURN NULL; END; $$ LANGUAGE plpgsql"
            )
            schema_editor.execute(
                'DROP TRIGGER IF EXISTS "core_redactionwindow_closes" ON core_redactionwindow'
            )
            schema_editor.execute(
                'CREATE CONSTRAINT TRIGGER "core_redactionwindow_closes" AFTER INSERT ON '
                "core_redactionwindow DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION unionhub_redaction_window_closes()"
            )
        elif vendor == "sqlite":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{no_update}"')
            schema_editor.execute(
                f'CREATE TRIGGER "{no_update}" BEFORE UPDATE ON "{self.table}" '
                "WHEN NOT EXISTS (SELECT 1 FROM core_redactionwindow) "
                f"OR {self._kept(schema_editor, vendor)} "
                f"BEGIN SELECT RAISE(ABORT, 'rows of {self.table} are append-only'); END"
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        """Back to the plain trigger that refuses every UPDATE."""
        vendor = schema_editor.connection.vendor
        no_update, _no_delete = self._names()
        if vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{no_update}" ON "{self.table}"')
            schema_editor.execute(
                f'CREATE TRIGGER "{no_update}" BEFORE UPDATE ON "{self.table}" '
                "FOR EACH ROW EXECUTE FUNCTION unionhub_refuse_change()"
            )
        elif vendor == "sqlite":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{no_update}"')
            schema_editor.execute(
                f'CREATE TRIGGER "{no_update}" BEFORE UPDATE ON "{self.table}" '
                f"BEGIN SELECT RAISE(ABORT, 'rows of {self.table} are append-only'); END"
            )

    def describe(self) -> str:
        return f"Refuse UPDATE on {self.table} outside a redaction window"


class EnsureAppendOnlyTrigger(AppendOnlyTrigger):
    """Put back the triggers of ``table`` if they are missing, forwards and backwards.

    SQLite alters a column by building a new table and dropping the old one, and the old one's
    triggers go with it. A migration that alters an append-only table on SQLite places this
    operation before and after the alteration, so the triggers stand whichever way it runs.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not self._present(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        self.database_forwards(app_label, schema_editor, from_state, to_state)

    def _present(self, schema_editor) -> bool:
        connection = schema_editor.connection
        no_update, no_delete = self._names()
        expected = {no_update} if connection.vendor == "sqlite" else {no_update, no_delete}
        return expected <= set(append_only_triggers(connection, self.table))

    def describe(self) -> str:
        return f"Make sure UPDATE and DELETE are refused on {self.table}"


def append_only_triggers(connection, table: str) -> list[str]:
    """The names of ``table``'s triggers that refuse changes, as the database reports them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
        else:
            return []
        return [row[0] for row in cursor.fetchall()]


class PostgresOnlySQL(Operation):
    """Raw SQL that only PostgreSQL runs (e.g. pg_trgm indexes); a no-op elsewhere."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, sql: list[str], reverse_sql: list[str]) -> None:
        self.sql = sql
        self.reverse_sql = reverse_sql

    def state_forwards(self, app_label, state) -> None:
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in self.sql:
                schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in self.reverse_sql:
                schema_editor.execute(statement)

    def describe(self) -> str:
        return "PostgreSQL-only SQL"


def trigram_index(table: str, column: str) -> PostgresOnlySQL:
    """A pg_trgm GIN index so that ``icontains`` on ``column`` does not scan the table (it helps
    queries of three characters or more; shorter ones are narrowed by the scope filter)."""
    name = f"{table}_{column}_trgm"
    return PostgresOnlySQL(
        sql=[
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ("{column}" gin_trgm_ops)',
        ],
        reverse_sql=[f'DROP INDEX IF EXISTS "{name}"'],
    )
