"""Settings for the benchmark (``bench/run.py``): the project's own settings with DEBUG off,
served over plain HTTP on 127.0.0.1, plus a middleware that reports each request's SQL.

Why a middleware and not ``connection.queries``: that list only fills with DEBUG on, which would
change what is measured. ``connection.execute_wrapper`` costs a function call per query.

Response headers added to every request:

- ``X-Query-Count``: SQL statements run while answering;
- ``X-Count-Star``: ``COUNT(*)`` statements with neither a WHERE clause nor a LIMIT, i.e. counts
  of a whole table (the bounded counts of ``BoundedPaginator`` always have a LIMIT);
- ``X-Query-Ms``: time spent in the database, in milliseconds.

With ``BENCH_SQL_DIR`` set, a request carrying ``X-Bench-Explain: <name>`` also writes
``<BENCH_SQL_DIR>/<name>.json``: every statement with its time and, for each SELECT, the output of
``EXPLAIN (ANALYZE, BUFFERS)`` (run again right after the request, on the same connection).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from unionhub.settings import *  # noqa: F403
from unionhub.settings import MIDDLEWARE, STORAGES

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# Plain HTTP on the loopback: no redirect to https, cookies without the Secure flag.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_PROXY_SSL_HEADER = None
# No collectstatic manifest is needed to render a page.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# First in the list, so it wraps every other middleware: no query escapes the count.
MIDDLEWARE = ["bench.settings.QueryCountMiddleware", *MIDDLEWARE]

_COUNT = re.compile(r"\bCOUNT\(", re.IGNORECASE)
_WHERE_OR_LIMIT = re.compile(r"\b(WHERE|LIMIT)\b", re.IGNORECASE)


class QueryCounter:
    """An ``execute_wrapper``: counts statements, whole-table counts and database time."""

    def __init__(self, keep: bool = False) -> None:
        self.queries = 0
        self.whole_table_counts = 0
        self.seconds = 0.0
        self.keep = keep
        self.statements: list[dict[str, Any]] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.queries += 1
            self.seconds += elapsed
            if _COUNT.search(sql) and not _WHERE_OR_LIMIT.search(sql):
                self.whole_table_counts += 1
            if self.keep:
                self.statements.append(
                    {"sql": sql, "params": params, "many": many, "ms": elapsed * 1000}
                )


class QueryCountMiddleware:
    """Adds ``X-Query-Count``, ``X-Count-Star`` and ``X-Query-Ms`` to every response."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response
        self.sql_dir = os.environ.get("BENCH_SQL_DIR", "")

    def __call__(self, request: Any) -> Any:
        from django.db import connection

        explain = request.headers.get("X-Bench-Explain", "") if self.sql_dir else ""
        counter = QueryCounter(keep=bool(explain))
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(counter.queries)
        response["X-Count-Star"] = str(counter.whole_table_counts)
        response["X-Query-Ms"] = f"{counter.seconds * 1000:.2f}"
        if explain and re.fullmatch(r"[\w-]{1,80}", explain):
            self.write_explain(Path(self.sql_dir) / f"{explain}.json", counter.statements)
        return response

    @staticmethod
    def write_explain(target: Path, statements: list[dict[str, Any]]) -> None:
        """Run ``EXPLAIN (ANALYZE, BUFFERS)`` on each SELECT (never on a write: ANALYZE runs
        the statement) and save it with the statement and its time."""
        from django.db import connection

        out = []
        for item in statements:
            entry = {"sql": item["sql"], "ms": round(item["ms"], 3), "params": repr(item["params"])}
            if (
                connection.vendor == "postgresql"
                and not item["many"]
                and item["sql"].lstrip().upper().startswith("SELECT")
            ):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + item["sql"], item["params"])
                    entry["plan"] = "\n".join(row[0] for row in cursor.fetchall())
            out.append(entry)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
