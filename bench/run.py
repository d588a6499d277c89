#!/usr/bin/env python3
"""Load benchmark of the request desk with 100,000 and 1,000,000 requests (see bench/README.md).

    .venv/bin/python bench/run.py --cases 100000 1000000 [--database-url URL]
                                  [--duration 10] [--rounds 3] [--concurrency 8]

For each size: make sure a database exists (PostgreSQL ``unionhub_bench_<size>`` by default),
migrate it, seed it with ``seed_bench_cases`` when it holds fewer requests, start gunicorn with
``bench.settings`` and sign in as ``bench_officer``. Then run each scenario for ``--duration``
seconds with ``--concurrency`` keep-alive clients, after a warm-up, on each size in turn,
``--rounds`` times, and keep the median round. Prints a table per size, the queue's
throughput against the bare-DRF ceiling, and how median latencies grow from the smallest size to
the largest; writes everything (with the SQL and ``EXPLAIN (ANALYZE, BUFFERS)`` of one request
per scenario) to ``bench/results/``. Not part of the test suite: run it by hand.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import http.cookies
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/unionhub_bench_{size}"
# Throwaway keys for a throwaway database. The field key must stay the same between seeding and
# serving (the seeded ID numbers are encrypted with it), so it is a constant, not random.
SECRET_KEY = "bench-only-secret-key-never-used-anywhere-else-0123456789abcdefghij"
FIELD_ENCRYPTION_KEY = "dW5pb25odWItYmVuY2gtdGhyb3dhd2F5LWtleS0wMDA="
OFFICER, PASSWORD = "bench_officer", "bench-pass-2026"
OPEN_STATUSES = ("submitted", "accepted", "in_progress", "referred")

try:
    import psycopg
    from psycopg import sql
except ImportError:  # run with the system Python: start again with the project's
    venv_python = VENV_BIN / "python"
    if venv_python.exists() and Path(sys.executable).resolve() != venv_python.resolve():
        os.execv(str(venv_python), [str(venv_python), *sys.argv])
    raise


@dataclass
class Scenario:
    name: str
    path: str
    signed_in: bool = True
    json: bool = False


@dataclass
class Result:
    name: str
    path: str
    requests: int
    errors: int
    statuses: dict[str, int]
    seconds: float
    rps: float
    median_ms: float
    p95_ms: float
    queries: int
    queries_max: int
    whole_table_counts: int
    db_ms_median: float
    solo_db_ms: float = float("nan")
    explain_file: str = ""
    slowest_sql: list[dict[str, Any]] = field(default_factory=list)


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


# -- databases -----------------------------------------------------------------------------------


def database_url(template: str, size: int) -> str:
    return template.replace("{size}", str(size))


def pg_params(url: str, dbname: str | None = None) -> dict[str, Any]:
    parts = urllib.parse.urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": urllib.parse.unquote(parts.username or "postgres"),
        "password": urllib.parse.unquote(parts.password or "") or None,
        "dbname": dbname or parts.path.lstrip("/"),
    }


def is_postgres(url: str) -> bool:
    return urllib.parse.urlsplit(url).scheme in ("postgres", "postgresql", "pgsql")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database if it does not exist yet."""
    params = pg_params(url)
    name = params["dbname"]
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            log(f"creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def query(url: str, statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with psycopg.connect(**pg_params(url)) as conn:
        return conn.execute(statement, params or []).fetchall()


def count_bench_cases(url: str) -> int:
    rows = query(
        url,
        "SELECT count(*) FROM cases_case c JOIN orgs_organization d ON d.id = c.district_id "
        "WHERE d.code = 'BM' AND d.depth = 1",
    )
    return int(rows[0][0])


def django_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        FIELD_ENCRYPTION_KEY=FIELD_ENCRYPTION_KEY,
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    return env


def manage(url: str, *args: str) -> None:
    command = [str(VENV_BIN / "python"), "manage.py", *args]
    subprocess.run(command, cwd=ROOT, env=django_env(url), check=True)


def prepare(url: str, size: int) -> dict[str, Any]:
    """Create, migrate and seed the database; returns what was done and how long it took."""
    info: dict[str, Any] = {"database_url": re.sub(r"//[^@/]*@", "//…@", url)}
    if not is_postgres(url):
        raise SystemExit("Only PostgreSQL databases are supported by the runner.")
    ensure_database(url)
    started = time.perf_counter()
    manage(url, "migrate", "--noinput", "-v", "0")
    info["migrate_seconds"] = round(time.perf_counter() - started, 1)
    have = count_bench_cases(url)
    if have < size:
        log(f"seeding {size - have:,} requests into {pg_params(url)['dbname']} (has {have:,})")
        started = time.perf_counter()
        manage(url, "seed_bench_cases", "--cases", str(size))
        info["seed_seconds"] = round(time.perf_counter() - started, 1)
    else:
        log(f"{pg_params(url)['dbname']} already holds {have:,} benchmark requests")
    info["cases"] = count_bench_cases(url)
    info["database_size"] = query(
        url, "SELECT pg_size_pretty(pg_database_size(current_database()))"
    )[0][0]
    return info


def scenario_params(url: str, word: str) -> dict[str, Any]:
    """Values taken from the data: the officer's scope, one of its requests, a mobile tail."""
    rows = query(
        url,
        "SELECT o.path, o.name FROM orgs_membership m "
        "JOIN accounts_user u ON u.id = m.user_id "
        "JOIN orgs_organization o ON o.id = m.organization_id "
        "WHERE u.username = %s AND m.role = 'station_staff'",
        [OFFICER],
    )
    if not rows:
        raise SystemExit(f"{OFFICER} has no station: was the database seeded?")
    scope, station = rows[0]
    prefix = scope + "%"
    public_id, tail = query(
        url,
        "SELECT public_id, worker_mobile_tail FROM cases_case WHERE owner_path LIKE %s "
        "AND status = 'in_progress' ORDER BY submitted_at DESC LIMIT 1",
        [prefix],
    )[0]
    category = query(url, "SELECT id FROM cases_servicecategory WHERE code = 'legal_aid'")[0][0]
    counts = query(
        url,
        "SELECT count(*), count(*) FILTER (WHERE status = ANY(%s)), "
        "count(*) FILTER (WHERE search_text LIKE %s), "
        "count(*) FILTER (WHERE search_text LIKE %s) FROM cases_case WHERE owner_path LIKE %s",
        [list(OPEN_STATUSES), f"%{word}%", f"%{tail}%", prefix],
    )[0]
    total = query(url, "SELECT count(*) FROM cases_case")[0][0]
    return {
        "station": station,
        "scope_path": scope,
        "detail_case": str(public_id),
        "mobile_tail": tail,
        "word": word,
        "category_id": category,
        "table_cases": total,
        "scope_cases": counts[0],
        "scope_open": counts[1],
        "scope_word_matches": counts[2],
        "scope_tail_matches": counts[3],
    }


def scenarios(params: dict[str, Any]) -> list[Scenario]:
    word = urllib.parse.quote(params["word"])
    return [
        Scenario("queue", "/cases/"),
        Scenario("queue_breached", "/cases/?status=all&sla=breached"),
        Scenario("queue_category", f"/cases/?status=closed&category={params['category_id']}"),
        Scenario("search_word", f"/cases/?status=all&q={word}"),
        Scenario("search_tail", f"/cases/?status=all&q={params['mobile_tail']}"),
        Scenario("detail", f"/cases/{params['detail_case']}/"),
        Scenario("api_list", "/api/v1/cases/?page_size=25", json=True),
        Scenario("ceiling", "/bench/ceiling/", signed_in=False, json=True),
    ]


# -- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn with ``bench.settings``, started in its own process group and always stopped."""

    def __init__(self, url: str, workers: int, threads: int, log_path: Path, sql_dir: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.command = [
            str(VENV_BIN / "gunicorn"),
            "unionhub.wsgi",
            # The repository's gunicorn.conf.py is read too; these override its bind and workers.
            "--bind", f"127.0.0.1:{self.port}",
            "--worker-class", "gthread",
            "--workers", str(workers),
            "--threads", str(threads),
            "--timeout", "120",
        ]  # fmt: skip
        self.env = {**django_env(url), "BENCH_SQL_DIR": str(sql_dir)}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        output = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        output.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log_path}:\n{self.tail()}")
            try:
                status, _headers, _body = get("127.0.0.1", self.port, "/accounts/login/")
            except OSError:
                time.sleep(0.3)
                continue
            if status == 200:
                log(f"gunicorn pid {self.proc.pid} on port {self.port}: {' '.join(self.command)}")
                return
            raise SystemExit(f"/accounts/login/ answered {status}; see {self.log_path}")
        raise SystemExit(f"gunicorn did not answer within 60 s; see {self.log_path}")

    def tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)  # the master and its workers, nothing else
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log(f"gunicorn pid {proc.pid} stopped")

    def __enter__(self) -> Server:
        try:
            self.start()
        except BaseException:  # Ctrl-C or a failed start: no gunicorn left behind
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- HTTP ----------------------------------------------------------------------------------------


def get(
    host: str, port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def cookies_from(headers: http.client.HTTPMessage, jar: dict[str, str]) -> None:
    for header in headers.get_all("Set-Cookie") or []:
        parsed = http.cookies.SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            jar[name] = morsel.value


def sign_in(port: int) -> str:
    """The session of ``bench_officer``, signed in through the login page like a browser."""
    jar: dict[str, str] = {}
    status, headers, _body = get("127.0.0.1", port, "/accounts/login/")
    cookies_from(headers, jar)
    if status != 200 or "csrftoken" not in jar:
        raise SystemExit(f"login page: {status}, cookies {sorted(jar)}")
    form = urllib.parse.urlencode(
        {"username": OFFICER, "password": PASSWORD, "csrfmiddlewaretoken": jar["csrftoken"]}
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={jar['csrftoken']}",
            },
        )
        response = conn.getresponse()
        response.read()
        cookies_from(response.headers, jar)
    finally:
        conn.close()
    if response.status != 302 or "sessionid" not in jar:
        raise SystemExit(f"sign-in as {OFFICER} failed: {response.status}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def run_clients(
    port: int, scenario: Scenario, cookie: str, seconds: float, concurrency: int
) -> tuple[list[tuple[float, int, int, int, float]], float]:
    """``concurrency`` threads, each with one keep-alive connection, sending the same request
    until ``seconds`` have passed. Returns (latency s, status, queries, whole-table counts,
    database ms) per request, and the wall time."""
    headers = {"Accept": "application/json" if scenario.json else "text/html"}
    if scenario.signed_in:
        headers["Cookie"] = cookie
    samples: list[tuple[float, int, int, int, float]] = []
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + seconds

    def client() -> None:
        mine: list[tuple[float, int, int, int, float]] = []
        conn: http.client.HTTPConnection | None = None
        while time.perf_counter() < deadline:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            sent = time.perf_counter()
            try:
                conn.request("GET", scenario.path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                mine.append((time.perf_counter() - sent, 0, -1, -1, 0.0))
                conn.close()
                conn = None
                continue
            mine.append(
                (
                    time.perf_counter() - sent,
                    response.status,
                    int(response.getheader("X-Query-Count", "-1")),
                    int(response.getheader("X-Count-Star", "-1")),
                    float(response.getheader("X-Query-Ms", "0")),
                )
            )
            if response.will_close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def measure(port: int, scenario: Scenario, cookie: str, args: argparse.Namespace) -> Result:
    run_clients(port, scenario, cookie, args.warmup, args.concurrency)
    samples, seconds = run_clients(port, scenario, cookie, args.duration, args.concurrency)
    good = [s for s in samples if s[1] == 200]
    latencies = [s[0] * 1000 for s in good]
    queries = [s[2] for s in good] or [-1]
    return Result(
        name=scenario.name,
        path=scenario.path,
        requests=len(samples),
        errors=len(samples) - len(good),
        statuses={str(k): v for k, v in Counter(s[1] for s in samples).items()},
        seconds=round(seconds, 2),
        rps=round(len(good) / seconds, 1),
        median_ms=round(statistics.median(latencies), 1) if latencies else float("nan"),
        p95_ms=round(percentile(latencies, 0.95), 1),
        queries=int(statistics.median(queries)),
        queries_max=max(queries),
        whole_table_counts=max((s[3] for s in good), default=-1),
        db_ms_median=round(statistics.median(s[4] for s in good), 1) if good else float("nan"),
    )


def combine(rounds: list[Result]) -> Result:
    """One scenario's rounds as one result: the median round for throughput and latency (a
    round slowed by something else on the machine does not decide), totals for the counts."""

    def middle(attribute: str) -> float:
        return round(statistics.median(getattr(r, attribute) for r in rounds), 1)

    return replace(
        rounds[-1],
        requests=sum(r.requests for r in rounds),
        errors=sum(r.errors for r in rounds),
        statuses=dict(sum((Counter(r.statuses) for r in rounds), Counter())),
        seconds=round(sum(r.seconds for r in rounds), 2),
        rps=middle("rps"),
        median_ms=middle("median_ms"),
        p95_ms=middle("p95_ms"),
        queries=max(r.queries for r in rounds),
        queries_max=max(r.queries_max for r in rounds),
        whole_table_counts=max(r.whole_table_counts for r in rounds),
        db_ms_median=middle("db_ms_median"),
    )


def explain(port: int, scenario: Scenario, cookie: str, name: str, sql_dir: Path) -> list[dict]:
    """One more request that asks the middleware for its SQL and their plans."""
    headers = {"X-Bench-Explain": name, "Accept": "application/json" if scenario.json else "*/*"}
    if scenario.signed_in:
        headers["Cookie"] = cookie
    status, _headers, _body = get("127.0.0.1", port, scenario.path, headers)
    target = sql_dir / f"{name}.json"
    if status != 200 or not target.exists():
        return []
    return json.loads(target.read_text(encoding="utf-8"))


# -- output --------------------------------------------------------------------------------------

COLUMNS = (
    f"{'scenario':<16}{'rps':>8}{'median ms':>11}{'p95 ms':>9}{'queries':>9}"
    f"{'whole-table COUNT':>19}{'SQL ms solo':>13}{'SQL ms load':>13}{'errors':>8}"
)


def print_size(size: int, info: dict[str, Any], results: list[Result]) -> None:
    """One table per size. "SQL ms solo" is the database time of one request on an idle
    server; "SQL ms load" the median under load, which includes waiting for the CPU and the GIL."""
    params = info["params"]
    print()
    print(
        f"== {size:,} requests (table holds {params['table_cases']:,}; {OFFICER} at "
        f"{params['station']} sees {params['scope_cases']:,}, {params['scope_open']:,} open)"
    )
    print(COLUMNS)
    for r in results:
        queries = f"{r.queries}" if r.queries == r.queries_max else f"{r.queries}-{r.queries_max}"
        print(
            f"{r.name:<16}{r.rps:>8.1f}{r.median_ms:>11.1f}{r.p95_ms:>9.1f}{queries:>9}"
            f"{r.whole_table_counts:>19}{r.solo_db_ms:>13.1f}{r.db_ms_median:>13.1f}"
            f"{r.errors:>8}"
        )
    by_name = {r.name: r for r in results}
    if "queue" in by_name and "ceiling" in by_name and by_name["ceiling"].rps:
        ratio = by_name["queue"].rps / by_name["ceiling"].rps
        info["queue_to_ceiling_rps"] = round(ratio, 2)
        print(f"queue rps / ceiling rps = {ratio:.2f}")


def print_growth(report: dict[str, Any]) -> None:
    sizes = sorted(int(s) for s in report["sizes"])
    if len(sizes) < 2:
        return
    small, large = sizes[0], sizes[-1]
    first = {r["name"]: r for r in report["sizes"][str(small)]["results"]}
    last = {r["name"]: r for r in report["sizes"][str(large)]["results"]}
    print()
    print(f"== median latency, {large:,} vs {small:,} requests")
    print(f"{'scenario':<16}{f'{small:,}':>12}{f'{large:,}':>12}{'ratio':>8}")
    growth = {}
    for name, r in last.items():
        if name in first and first[name]["median_ms"]:
            ratio = r["median_ms"] / first[name]["median_ms"]
            growth[name] = round(ratio, 2)
            print(
                f"{name:<16}{first[name]['median_ms']:>12.1f}{r['median_ms']:>12.1f}{ratio:>8.2f}"
            )
    report["median_growth"] = {"from": small, "to": large, "ratios": growth}


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help="PostgreSQL URL; {size} is replaced by the number of requests (default: %(default)s)",
    )
    parser.add_argument("--duration", type=float, default=10, help="seconds per scenario and round")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of warm-up per scenario")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--gunicorn-threads", type=int, default=4)
    parser.add_argument("--word", default="困难", help="a common word searched in the queue")
    parser.add_argument("--only", default="", help="comma-separated scenario names to run")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="times each scenario is measured per size; the median round is reported",
    )
    args = parser.parse_args()
    if "{size}" not in args.database_url and len(args.cases) > 1:
        parser.error("with several sizes, --database-url must contain {size}")

    def stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_sigterm)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    sql_dir = RESULTS / f"sql-{stamp}"
    report: dict[str, Any] = {
        "started": datetime.datetime.now().isoformat(timespec="seconds"),
        "args": vars(args),
        "machine": machine(),
        "sizes": {},
    }
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    prepared: dict[int, tuple[str, dict[str, Any]]] = {}
    for size in args.cases:
        url = database_url(args.database_url, size)
        info = prepare(url, size)
        info["postgres"] = query(url, "SELECT version()")[0][0]
        info["params"] = params = scenario_params(url, args.word)
        log(f"{size:,}: {json.dumps(params, ensure_ascii=False)}")
        prepared[size] = (url, info)
    # Every size is served at once and the sizes take turns, scenario by scenario and round by
    # round (in alternating order), so whatever else slows the machine meanwhile falls on all
    # sizes alike instead of on whichever ran last.
    rounds: dict[tuple[int, str], list[Result]] = {}
    with ExitStack() as stack:
        servers = {
            size: stack.enter_context(
                Server(
                    url,
                    args.gunicorn_workers,
                    args.gunicorn_threads,
                    RESULTS / f"gunicorn-{stamp}-{size}.log",
                    sql_dir,
                )
            )
            for size, (url, _info) in prepared.items()
        }
        cookies = {size: sign_in(server.port) for size, server in servers.items()}
        plans = {
            size: [s for s in scenarios(info["params"]) if not only or s.name in only]
            for size, (_url, info) in prepared.items()
        }
        names = [scenario.name for scenario in plans[args.cases[0]]]
        for turn in range(args.rounds):
            order = args.cases if turn % 2 == 0 else args.cases[::-1]
            for index, name in enumerate(names):
                for size in order:
                    scenario = plans[size][index]
                    log(f"round {turn + 1}/{args.rounds} {size:,} {name}: {scenario.path}")
                    result = measure(servers[size].port, scenario, cookies[size], args)
                    rounds.setdefault((size, name), []).append(result)
                    log(
                        f"  {result.rps} rps, median {result.median_ms} ms, "
                        f"p95 {result.p95_ms} ms, {result.queries} queries, "
                        f"{result.errors} errors"
                    )
        for size, (_url, info) in prepared.items():
            results: list[Result] = []
            for scenario in plans[size]:
                result = combine(rounds[(size, scenario.name)])
                label = f"{size}-{scenario.name}"
                statements = explain(servers[size].port, scenario, cookies[size], label, sql_dir)
                result.explain_file = str(sql_dir / f"{label}.json")
                result.slowest_sql = sorted(statements, key=lambda s: -s["ms"])[:3]
                result.solo_db_ms = round(sum(s["ms"] for s in statements), 1)
                results.append(result)
            info["results"] = [asdict(r) for r in results]
            info["rounds"] = {
                scenario.name: [asdict(r) for r in rounds[(size, scenario.name)]]
                for scenario in plans[size]
            }
            report["sizes"][str(size)] = info
    for size, (_url, info) in prepared.items():
        print_size(size, info, [Result(**r) for r in info["results"]])
    print_growth(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"bench-{stamp}.json"
    target.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), "utf-8")
    print(f"\nresults: {target.relative_to(ROOT)}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
