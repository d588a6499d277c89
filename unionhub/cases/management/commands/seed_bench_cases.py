"""``python manage.py seed_bench_cases``: a district with up to a million requests, for the
benchmark in ``bench/``.

The demo (``seed_demo``) plays 2,000 requests through the state machine; a benchmark needs a
million in minutes. So the rows are built in memory the way the services would have written them
and inserted in batches: PostgreSQL ``COPY`` (psycopg 3 ``cursor.copy()``) there, ``bulk_create``
elsewhere. No service runs per row, but every value follows them: references from the district's
``CaseSequence``, ``search_text`` from ``cases.services._search_text``, "due soon" times from
``_warn_at``, each ID number encrypted once (by its model field) beside its keyed hash.
"""

from __future__ import annotations

import datetime
import itertools
import math
import random
import time
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from unionhub.cases.demo import CHANNELS, TEXTS
from unionhub.cases.models import Case, CaseEvent, CaseSequence, ServiceCategory
from unionhub.cases.services import PUBLIC_MESSAGES, _search_text, _warn_at
from unionhub.core.demo import EXCLUDED_NAMES, GIVEN_FEMALE, GIVEN_MALE, SURNAMES, DemoRandom
from unionhub.core.fields import EncryptedTextField
from unionhub.core.pinyin import pinyin_key
from unionhub.enterprises.models import Enterprise
from unionhub.orgs.models import Membership, Organization
from unionhub.workers.models import Worker, id_number_hash

Kind = Organization.Kind
Role = Membership.Role
Status = Case.Status
EventKind = CaseEvent.Kind

DISTRICT_CODE = "BM"
DISTRICT_NAME = "基准测试区总工会"
PASSWORD = "bench-pass-2026"
OFFICER = "bench_officer"
ADMIN = "bench_admin"
STREETS = ["青松街道", "白鹭街道", "金桥镇", "南湖街道", "高新技术产业园"]
STATIONS_PER_STREET = 4
UNIONS = 1000
UNIONS_UNDER_STREETS = 0.05  # unions without a station sit directly under their street
WORKERS_AT_STATIONS = 0.03  # workers without an enterprise, registered with a station
OFFICER_TARGET_SHARE = 0.035  # the officer's station should own ~2–5% of the cases
YEARS = 3
# A request is still open with this probability, by age in days: recent ones mostly are, and a
# backlog of old ones is stuck (about 17% open overall, 80% resolved or closed).
OPEN_BY_AGE = ((7, 0.9), (30, 0.6), (90, 0.3), (math.inf, 0.12))
REJECTED_SHARE = 0.035
# Owner of a new request: mostly the worker's own union, some its station or street, a few the
# district (as after a referral).
OWNER_DISTRICT, OWNER_PARENT = 0.03, 0.04
ENTERPRISE_WORDS = [
    "宏达", "恒信", "华锦", "金泰", "瑞丰", "永盛", "天成", "新亚", "东方",
    "海鹏", "博远", "中天", "佳和", "鼎盛", "万通", "汇丰", "嘉禾", "利民",
    "长江", "太湖", "惠山", "锡达", "联创", "正泰", "顺昌", "兴业", "鸿运",
    "精工", "明珠", "春晖", "卓越", "立信", "德胜", "安泰", "富源", "凯旋",
]  # fmt: skip
ENTERPRISE_TRADES = [
    ("机械", "manufacturing"), ("电子", "manufacturing"), ("纺织", "manufacturing"),
    ("五金", "manufacturing"), ("汽配", "manufacturing"), ("建材", "construction"),
    ("物流", "logistics"), ("科技", "it"), ("环保", "environment"), ("医药", "biomedicine"),
    ("食品", "manufacturing"), ("包装", "manufacturing"),
]  # fmt: skip
ENTERPRISE_FORMS = ["有限公司", "股份有限公司", "集团有限公司"]
CONTACT_TIMES = ["", "", "", "工作日晚上", "周末全天", "午休时间", "下班后 18:00 以后"]
REASONS_REFER = ["需要上级工会协调资源。", "涉及多个企业，转上级统一办理。", "超出本级帮扶权限。"]
REASON_REJECT = "经核实不符合帮扶条件，已电话说明并告知其他渠道。"


class Org(NamedTuple):
    id: int
    path: str
    name: str
    kind: str


class WorkerRef(NamedTuple):
    """What a request copies from its worker (duck-types ``Worker`` for ``_search_text``)."""

    id: int
    organization_id: int
    name: str
    name_pinyin: str
    mobile_tail: str
    id_tail: str


@dataclass
class Tree:
    district: Organization
    orgs: dict[int, Org]
    parent: dict[int, Org]
    stations: list[Org]
    unions: list[Org]

    @classmethod
    def load(cls, district: Organization) -> Tree:
        rows = Organization.objects.filter(path__startswith=district.path).values_list(
            "id", "path", "name", "kind"
        )
        orgs = {row[0]: Org(*row) for row in rows}
        by_path = {o.path: o for o in orgs.values()}
        step = Organization.steplen
        parent = {o.id: by_path[o.path[:-step]] for o in orgs.values() if len(o.path) > step}
        stations = [o for o in orgs.values() if o.kind == Kind.STATION]
        unions = [o for o in orgs.values() if o.kind == Kind.ENTERPRISE_UNION]
        return cls(district, orgs, parent, sorted(stations), sorted(unions))

    def station_of(self, org: Org) -> Org | None:
        """The guidance station above (or at) ``org``, if any."""
        while org is not None and org.kind != Kind.STATION:
            org = self.parent.get(org.id)
        return org


def union_weight(org: Org) -> float:
    """How many workers a union has, relative to the others: skewed (a few big factories, many
    small firms) and derived from the path, so a second run spreads new workers the same way."""
    return min(random.Random(f"bench-union:{org.path}").paretovariate(1.3), 40.0)


def station_shares(tree: Tree) -> dict[int, float]:
    """The share of workers (and so of requests) each station's subtree is expected to hold."""
    weights = {u.id: union_weight(u) for u in tree.unions}
    total = sum(weights.values()) or 1.0
    shares = {s.id: WORKERS_AT_STATIONS / max(len(tree.stations), 1) for s in tree.stations}
    for union in tree.unions:
        station = tree.station_of(union)
        if station is not None:
            shares[station.id] += (1 - WORKERS_AT_STATIONS) * weights[union.id] / total
    return shares


@cache
def _pinyin(name: str) -> str:
    return pinyin_key(name, person=True)


_SURNAME_CUMULATIVE = list(
    itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(SURNAMES)))
)


def person_name(rng: random.Random, gender: str) -> str:
    """A Chinese name with a realistic skew: 王, 李, 张 … are far more common than the rest."""
    pool = GIVEN_MALE if gender == "male" else GIVEN_FEMALE
    while True:
        given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.6 else "")
        name = rng.choices(SURNAMES, cum_weights=_SURNAME_CUMULATIVE)[0] + given
        if name not in EXCLUDED_NAMES:
            return name


def extra_sentence(rng: random.Random) -> str:
    """A varying last sentence, so the texts are not 40 strings repeated a million times."""
    roll = rng.randrange(8)
    if roll == 0:
        return f"月收入约{rng.randrange(2500, 9000, 100)}元，家中{rng.randrange(2, 7)}口人。"
    if roll == 1:
        post = rng.choice(["一线", "班组长", "夜班"])
        return f"已在本企业工作{rng.randrange(1, 25)}年，{post}岗位。"
    if roll == 2:
        return f"提供了相关材料{rng.randrange(1, 12)}页，希望{rng.randrange(3, 30)}天内得到答复。"
    if roll == 3:
        source = rng.choice(["亲友借款", "信用卡", "积蓄"])
        return f"已垫付费用{rng.randrange(1, 90)}千元，{source}支付。"
    if roll == 4:
        return "职工本人来电反映，情绪稳定。"
    if roll == 5:
        return "企业工会已初步核实情况。"
    return ""


class Loader:
    """Writes rows (dicts keyed by attribute name) of one model: ``COPY`` on PostgreSQL,
    ``bulk_create`` elsewhere. Encrypted and JSON fields go through their model field, so an ID
    number is encrypted exactly as the ORM would."""

    def __init__(self, model: type[models.Model], batch_size: int) -> None:
        self.model = model
        self.batch_size = batch_size
        self.fields = list(model._meta.concrete_fields)
        self.use_copy = connection.vendor == "postgresql"

    def _plan(self, sample: dict[str, Any]) -> list[tuple[models.Field, bool, Any]]:
        with connection.cursor() as cursor:
            table = self.model._meta.db_table
            in_table = {
                c.name for c in connection.introspection.get_table_description(cursor, table)
            }
        plan = []
        for f in self.fields:
            if f.column not in in_table and f.attname not in sample and f.null:
                # A nullable field added to the model whose migration has not run yet.
                continue
            if f.attname in sample:
                plan.append((f, True, None))
            elif f.primary_key:
                continue
            elif not f.unique and (f.get_default() is not None or f.null):
                # The ORM's default: the field's own, "" for text, None where allowed.
                plan.append((f, False, self._prep(f, f.get_default())))
            else:
                raise CommandError(f"{self.model.__name__}.{f.name} needs a value")
        return plan

    @staticmethod
    def _prep(f: models.Field, value: Any) -> Any:
        if value is not None and isinstance(f, models.JSONField | EncryptedTextField):
            return f.get_db_prep_save(value, connection)
        return value

    def write(self, rows: list[dict[str, Any]]) -> list[int]:
        """Insert ``rows``; returns their primary keys (given in the rows, or assigned)."""
        if not rows:
            return []
        if not self.use_copy:
            objs = [self.model(**row) for row in rows]
            self.model.objects.bulk_create(objs, batch_size=1000)
            return [o.pk for o in objs]
        plan = self._plan(rows[0])
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f, _given, _d in plan)
        prepared = [
            (f.attname, isinstance(f, models.JSONField | EncryptedTextField), default, given)
            for f, given, default in plan
        ]
        fields = {f.attname: f for f, _given, _d in plan}
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(
                    [
                        (self._prep(fields[name], row[name]) if special else row[name])
                        if given
                        else default
                        for name, special, default, given in prepared
                    ]
                )
        return [row.get("id") for row in rows]


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys taken from the table's sequence, so COPY can write the rows that point at
    them (timeline events) in the same batch."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


@dataclass
class Category:
    id: int
    code: str
    response: datetime.timedelta
    resolution: datetime.timedelta
    is_emergency: bool
    texts: list[tuple[str, str]]
    resolutions: list[str]


@dataclass
class CaseFactory:
    """Builds one request and its timeline as the services would have left it by now."""

    rng: random.Random
    now: datetime.datetime
    tree: Tree
    workers: list[WorkerRef]
    handlers: dict[int, list[int]]
    admin_id: int
    numbers: dict[int, int]
    categories: list[Category] = field(default_factory=list)
    category_weights: list[int] = field(default_factory=list)
    worker_cumulative: list[float] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_code = {c.code: c for c in ServiceCategory.objects.all()}
        missing = set(TEXTS) - set(by_code)
        if missing:
            raise CommandError(f"Service categories missing (run migrate): {sorted(missing)}")
        for code, (weight, texts, resolutions) in TEXTS.items():
            c = by_code[code]
            self.categories.append(
                Category(
                    c.pk,
                    code,
                    datetime.timedelta(hours=c.response_sla_hours),
                    datetime.timedelta(hours=c.resolution_sla_hours),
                    c.is_emergency,
                    texts,
                    resolutions,
                )
            )
            self.category_weights.append(weight)
        # Some workers come back again and again, most once or twice.
        weights = (self.rng.paretovariate(2.5) for _ in self.workers)
        self.worker_cumulative = list(itertools.accumulate(weights))
        self.channels = [(c, w) for c, w in CHANNELS if c != Case.Channel.MOBILE]
        with translation.override("zh-hans"):
            self.texts = {
                **{
                    f"channel:{c}": gettext("Entered through %(channel)s.")
                    % {"channel": Case.Channel(c).label}
                    for c, _w in self.channels
                },
                "escalated": gettext("The %(what)s deadline passed; %(organization)s was alerted."),
                "escalated_again": gettext("Still overdue; %(organization)s was alerted."),
                "response": gettext("response"),
                "resolution": gettext("resolution"),
            }

    def reference(self, at: datetime.datetime) -> str:
        year = timezone.localtime(at).year
        self.numbers[year] = self.numbers.get(year, 0) + 1
        return f"{DISTRICT_CODE}-{year}-{self.numbers[year]:06d}"

    def build(self, at: datetime.datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = self.rng
        worker = rng.choices(self.workers, cum_weights=self.worker_cumulative)[0]
        category = rng.choices(self.categories, weights=self.category_weights)[0]
        worker_org = self.tree.orgs[worker.organization_id]
        owner = worker_org
        roll = rng.random()
        if roll < OWNER_DISTRICT:
            owner = self.tree.orgs[self.tree.district.pk]
        elif roll < OWNER_DISTRICT + OWNER_PARENT:
            owner = self.tree.parent.get(worker_org.id, worker_org)
        handler = rng.choice(self.handlers.get(owner.id, [self.admin_id]))
        channel = rng.choices(*zip(*self.channels, strict=True))[0]
        summary, details = rng.choice(category.texts)
        description = details + extra_sentence(rng)
        if category.is_emergency:
            urgency = Case.Urgency.EMERGENCY
        else:
            urgency = Case.Urgency.URGENT if rng.random() < 0.1 else Case.Urgency.NORMAL
        reference = self.reference(at)
        row: dict[str, Any] = {
            "public_id": uuid.uuid4(),
            "reference": reference,
            "district_id": self.tree.district.pk,
            "worker_id": worker.id,
            "category_id": category.id,
            "channel": channel,
            "urgency": urgency,
            "summary": summary,
            "description": description,
            "preferred_contact_time": rng.choice(CONTACT_TIMES),
            "organization_id": owner.id,
            "owner_path": owner.path,
            "assignee_id": None,
            "status": Status.SUBMITTED,
            "parent_id": None,
            "submitted_at": at,
            "accepted_at": None,
            "resolved_at": None,
            "closed_at": None,
            "response_due_at": at + category.response,
            "resolution_due_at": at + category.resolution,
            "sla_due_at": None,
            "sla_warn_at": None,
            "response_breached_at": None,
            "resolution_breached_at": None,
            "escalation_level": 0,
            "escalated_at": None,
            "resolution_summary": "",
            "reject_reason": "",
            "created_by_id": handler,
            "worker_name": worker.name,
            "worker_mobile_tail": worker.mobile_tail,
            "search_text": _search_text(reference, worker, summary, description),  # type: ignore[arg-type]
        }
        events = [
            self.event(
                at,
                EventKind.SUBMITTED,
                handler,
                body=self.texts[f"channel:{channel}"],
                public=PUBLIC_MESSAGES[Status.SUBMITTED],
                to=Status.SUBMITTED,
            )
        ]
        self.play(row, events, category, owner, handler)
        row["updated_at"] = max(e["created_at"] for e in events)
        return row, events

    @staticmethod
    def event(
        at: datetime.datetime,
        kind: str,
        actor: int | None,
        *,
        body: str = "",
        public: str = "",
        params: dict[str, str] | None = None,
        frm: str = "",
        to: str = "",
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return {
            "kind": kind,
            "created_at": at,
            "actor_id": actor,
            "from_status": frm,
            "to_status": to,
            "body": body,
            "public_message": public,
            "public_params": (params or {}) if public else {},
            "data": data or {},
        }

    def move(
        self,
        row: dict[str, Any],
        events: list[dict[str, Any]],
        at: datetime.datetime,
        actor: int,
        to: str,
        **kwargs: Any,
    ) -> None:
        events.append(
            self.event(
                at,
                EventKind.STATUS,
                actor,
                public=PUBLIC_MESSAGES[to],
                frm=row["status"],
                to=to,
                **kwargs,
            )
        )
        row["status"] = to

    def play(
        self,
        row: dict[str, Any],
        events: list[dict[str, Any]],
        category: Category,
        owner: Org,
        handler: int,
    ) -> None:
        """Move the request through the states it would have reached by now."""
        rng, now, at = self.rng, self.now, row["submitted_at"]
        age_days = (now - at).total_seconds() / 86400
        open_share = next(share for limit, share in OPEN_BY_AGE if age_days < limit)
        accept_at = at + category.response * (0.05 + 1.25 * rng.random())
        resolve_at = accept_at + category.resolution * (0.2 + 1.05 * rng.random())
        start_at = min(
            accept_at + datetime.timedelta(minutes=rng.randrange(10, 600)),
            accept_at + (resolve_at - accept_at) / 2,
        )
        close_at = resolve_at + datetime.timedelta(days=3 + 7 * rng.random())
        stays_open = rng.random() < open_share or resolve_at >= now
        roll = rng.random()
        if not stays_open and roll < REJECTED_SHARE:
            self.move(row, events, accept_at, handler, Status.REJECTED, body=REASON_REJECT,
                      params={"reason": REASON_REJECT})  # fmt: skip
            row["reject_reason"] = REASON_REJECT
            return
        target = self.tree.parent.get(owner.id)
        if stays_open and (accept_at >= now or roll < 0.2):
            self.clock(row, events, start=at, due=row["response_due_at"], awaiting=True)
            return
        if stays_open and roll < 0.25 and target is not None:
            refer_at = at + category.response * (0.5 * rng.random())
            reason = rng.choice(REASONS_REFER)
            self.move(row, events, refer_at, handler, Status.REFERRED, body=reason,
                      params={"organization": target.name},
                      data={"from": owner.id, "to": target.id})  # fmt: skip
            row["organization_id"], row["owner_path"] = target.id, target.path
            row["response_due_at"] = refer_at + category.response
            self.clock(row, events, start=refer_at, due=row["response_due_at"], awaiting=True)
            return
        self.move(row, events, accept_at, handler, Status.ACCEPTED)
        row["accepted_at"], row["assignee_id"] = accept_at, handler
        if accept_at > row["response_due_at"]:
            row["response_breached_at"] = row["response_due_at"]
        if stays_open and (start_at >= now or roll < 0.45):
            self.clock(row, events, start=accept_at, due=row["resolution_due_at"], awaiting=False)
            return
        self.move(row, events, start_at, handler, Status.IN_PROGRESS)
        if stays_open:
            self.clock(row, events, start=accept_at, due=row["resolution_due_at"], awaiting=False)
            return
        resolution = rng.choice(category.resolutions)
        self.move(row, events, resolve_at, handler, Status.RESOLVED, body=resolution)
        row["resolved_at"], row["resolution_summary"] = resolve_at, resolution
        if resolve_at > row["resolution_due_at"]:
            row["resolution_breached_at"] = row["resolution_due_at"]
        if close_at < now and rng.random() < 0.95:
            self.move(row, events, close_at, handler, Status.CLOSED)
            row["closed_at"] = close_at

    def clock(
        self,
        row: dict[str, Any],
        events: list[dict[str, Any]],
        *,
        start: datetime.datetime,
        due: datetime.datetime,
        awaiting: bool,
    ) -> None:
        """An open request's running deadline, and the escalations the scheduler would have
        made once it passed (every 5 minutes; the parent after half the window again)."""
        row["sla_due_at"], row["sla_warn_at"] = due, _warn_at(start, due)
        if due >= self.now:
            return
        owner = self.tree.orgs[row["organization_id"]]
        breached = "response_breached_at" if awaiting else "resolution_breached_at"
        row[breached] = row[breached] or due
        first = due + datetime.timedelta(minutes=self.rng.randrange(1, 6))
        what = self.texts["response" if awaiting else "resolution"]
        events.append(
            self.event(
                first,
                EventKind.ESCALATION,
                None,
                body=self.texts["escalated"] % {"what": what, "organization": owner.name},
                data={"level": 1, "deadline": due.isoformat()},
            )
        )
        row["escalation_level"], row["escalated_at"] = 1, first
        later = due + max((due - start) / 2, datetime.timedelta(hours=1))
        if self.now >= later:
            second = later + datetime.timedelta(minutes=self.rng.randrange(1, 6))
            parent = self.tree.parent.get(owner.id, owner)
            events.append(
                self.event(
                    second,
                    EventKind.ESCALATION,
                    None,
                    body=self.texts["escalated_again"] % {"organization": parent.name},
                    data={"level": 2},
                )
            )
            row["escalation_level"], row["escalated_at"] = 2, second


class Command(BaseCommand):
    help = (
        "Seed the benchmark district (code BM) with --cases requests in total, --workers workers "
        "(default: a fifth of the cases), its organisation tree (5 streets, 20 stations, 1,000 "
        "enterprise unions, created when missing and reused when present) and the sign-ins "
        f"{OFFICER} (station staff of one station owning ~2-5%% of the requests) and {ADMIN} "
        f"(district administrator), password {PASSWORD}. Re-runnable: it tops up to the numbers "
        "asked and adds nothing when the district already holds them. Uses COPY on PostgreSQL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=1_000_000, help="total requests")
        parser.add_argument("--workers", type=int, default=None, help="total workers")
        parser.add_argument("--batch", type=int, default=20_000, help="rows per transaction")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")

    def log(self, message: str) -> None:
        self.stdout.write(f"[{time.perf_counter() - self.started:7.1f}s] {message}")
        self.stdout.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        self.started = time.perf_counter()
        cases = options["cases"]
        workers = options["workers"] if options["workers"] is not None else max(cases // 5, 1)
        batch = options["batch"]
        if cases < 0 or workers < 1 or batch < 1:
            raise CommandError("--cases must be ≥ 0, --workers and --batch ≥ 1.")
        self.rng = random.Random(options["seed"])
        self.now = timezone.now()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Losing the last batches in a crash is fine here; waiting for each flush is not.
                cursor.execute("SET synchronous_commit TO off")
        with transaction.atomic():
            tree = self.ensure_tree()
            self.ensure_enterprises(tree)
            handlers, admin_id = self.ensure_staff(tree)
        timings = {"tree and staff": time.perf_counter() - self.started}
        mark = time.perf_counter()
        self.top_up_workers(tree, workers, batch)
        timings["workers"] = time.perf_counter() - mark
        mark = time.perf_counter()
        self.top_up_cases(tree, cases, batch, handlers, admin_id)
        timings["cases"] = time.perf_counter() - mark
        mark = time.perf_counter()
        if connection.vendor == "postgresql":
            self.log("VACUUM ANALYZE (statistics and visibility map for the planner)…")
            with connection.cursor() as cursor:
                for model in (Worker, Case, CaseEvent):
                    cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
        timings["vacuum analyze"] = time.perf_counter() - mark
        self.report(tree, timings)

    # -- organisations and staff --------------------------------------------------------------

    def ensure_tree(self) -> Tree:
        district = Organization.objects.filter(kind=Kind.DISTRICT, code=DISTRICT_CODE).first()
        if district is not None:
            tree = Tree.load(district)
            self.log(f"organisations: reusing {DISTRICT_NAME} ({len(tree.orgs)} organisations)")
            return tree
        rng = random.Random(f"bench-tree:{self.rng.random()}")
        add_root, add_child = Organization.objects.add_root, Organization.objects.add_child
        district = add_root(
            create_kwargs={
                "kind": Kind.DISTRICT,
                "name": DISTRICT_NAME,
                "code": DISTRICT_CODE,
                "address": "基准测试区人民路1号职工服务中心",
            }
        )
        streets, stations = [], []
        for street_name in STREETS:
            street = add_child(district, create_kwargs={"kind": Kind.STREET, "name": street_name})
            streets.append(street)
            for number in range(1, STATIONS_PER_STREET + 1):
                name = f"{street_name}第{number}产改指导站"
                stations.append(
                    add_child(street, create_kwargs={"kind": Kind.STATION, "name": name})
                )
        # Stations differ in size: some cover big industrial parks, some a few streets.
        station_weights = [0.3 + 1.7 * rng.random() for _ in stations]
        names = [
            f"无锡{word}{trade}{form}"
            for form in ENTERPRISE_FORMS
            for word in ENTERPRISE_WORDS
            for trade, _industry in ENTERPRISE_TRADES
        ]
        rng.shuffle(names)
        for name in names[:UNIONS]:
            if rng.random() < UNIONS_UNDER_STREETS:
                parent = rng.choice(streets)
            else:
                parent = rng.choices(stations, weights=station_weights)[0]
            add_child(parent, create_kwargs={"kind": Kind.ENTERPRISE_UNION, "name": f"{name}工会"})
        tree = Tree.load(Organization.objects.get(pk=district.pk))
        self.log(f"organisations: created {DISTRICT_NAME} ({len(tree.orgs)} organisations)")
        return tree

    def ensure_enterprises(self, tree: Tree) -> None:
        """One enterprise per union (its workers belong to it), as the enterprise services
        would have registered them."""
        have = set(
            Enterprise.objects.filter(union__in=[u.id for u in tree.unions]).values_list(
                "union_id", flat=True
            )
        )
        missing = [u for u in tree.unions if u.id not in have]
        if not missing:
            return
        rnd = DemoRandom(seed=self.rng.randrange(2**31))
        codes = set(Enterprise.objects.values_list("credit_code", flat=True))
        industries = dict(ENTERPRISE_TRADES)
        rows = []
        for union in missing:
            code = rnd.credit_code()
            while code in codes:
                code = rnd.credit_code()
            codes.add(code)
            name = union.name.removesuffix("工会")
            trade = next((t for t in industries if t in name), "机械")
            employees = int(20 * union_weight(union) * (1 + rnd.rng.random()))
            size = "micro" if employees < 20 else "small" if employees < 300 else "medium"
            station = tree.station_of(union)
            street = tree.parent[station.id] if station else tree.parent[union.id]
            rows.append(
                Enterprise(
                    name=name,
                    name_pinyin=pinyin_key(name),
                    credit_code=code,
                    size_class=size,
                    industry=industries[trade],
                    employees=employees,
                    street_id=street.id,
                    station_id=station.id if station else None,
                    union_id=union.id,
                    organization_id=union.id,
                )
            )
        Enterprise.objects.bulk_create(rows, batch_size=1000)
        self.log(f"enterprises: {len(rows)} added")

    def ensure_staff(self, tree: Tree) -> tuple[dict[int, list[int]], int]:
        """bench_admin (district), bench_officer (one station), and one staff member per station:
        the people who enter, accept and resolve the requests."""
        User = get_user_model()

        def user(username: str, full_name: str, password: str | None) -> Any:
            account = User.objects.filter(username=username).first()
            if account is None:
                account = User(username=username, full_name=full_name, is_active=True)
                if password:
                    account.set_password(password)
                else:
                    account.set_unusable_password()
                account.save()
            return account

        def grant(account: Any, org_id: int, role: str) -> None:
            Membership.objects.get_or_create(user=account, organization_id=org_id, role=role)

        admin = user(ADMIN, "基准区管理员", PASSWORD)
        grant(admin, tree.district.pk, Role.DISTRICT_ADMIN)
        handlers: dict[int, list[int]] = {}
        staff_of: dict[int, list[int]] = {}
        for number, station in enumerate(tree.stations, start=1):
            staff = user(f"bench_staff_{number:02d}", f"站点工作人员{number:02d}", None)
            grant(staff, station.id, Role.STATION_STAFF)
            staff_of[station.id] = [staff.pk]
        officer = user(OFFICER, "基准站点专员", PASSWORD)
        membership = Membership.objects.filter(
            user=officer, organization__path__startswith=tree.district.path
        ).first()
        if membership is None:
            shares = station_shares(tree)
            station_id = min(shares, key=lambda pk: abs(shares[pk] - OFFICER_TARGET_SHARE))
            grant(officer, station_id, Role.STATION_STAFF)
            self.log(
                f"{OFFICER}: station staff of {tree.orgs[station_id].name} "
                f"(expected share {shares[station_id]:.1%})"
            )
        else:
            station_id = membership.organization_id
        staff_of[station_id].append(officer.pk)
        for org in tree.orgs.values():
            station = tree.station_of(org)
            handlers[org.id] = staff_of[station.id] if station else [admin.pk]
        return handlers, admin.pk

    # -- workers -------------------------------------------------------------------------------

    def top_up_workers(self, tree: Tree, target: int, batch: int) -> None:
        district = tree.district
        existing = Worker.objects.filter(district=district).count()
        missing = target - existing
        if missing <= 0:
            self.log(f"workers: {existing:,} already (asked for {target:,})")
            return
        self.log(f"workers: adding {missing:,} to {existing:,}…")
        rnd = DemoRandom(seed=self.rng.randrange(2**31))
        rng = rnd.rng
        rnd.used_mobiles = set(
            Worker.objects.filter(district=district).values_list("mobile", flat=True)
        )
        used_hashes = set(Worker.objects.values_list("id_number_hash", flat=True))
        enterprise_of = dict(
            Enterprise.objects.filter(union__in=[u.id for u in tree.unions]).values_list(
                "union_id", "id"
            )
        )
        places = [*tree.unions, *tree.stations]
        union_total = sum(union_weight(u) for u in tree.unions) or 1.0
        weights = [
            *((1 - WORKERS_AT_STATIONS) * union_weight(u) / union_total for u in tree.unions),
            *(WORKERS_AT_STATIONS / max(len(tree.stations), 1) for _s in tree.stations),
        ]
        cumulative = list(itertools.accumulate(weights))
        today = timezone.localdate()
        loader = Loader(Worker, batch)
        done = 0
        while done < missing:
            size = min(batch, missing - done)
            rows = []
            for place in rng.choices(places, cum_weights=cumulative, k=size):
                gender = "male" if rng.random() < 0.58 else "female"
                birth = rnd.birth_date(18, 60, today)
                migrant = rng.random() < 0.45
                while True:
                    number = rnd.id_number(birth, gender, migrant=migrant)
                    digest = id_number_hash(number)
                    if digest not in used_hashes:
                        break
                used_hashes.add(digest)
                mobile = rnd.mobile()
                name = person_name(rng, gender)
                created = self.now - datetime.timedelta(
                    days=YEARS * 366 + rng.randrange(1, 900), seconds=rng.randrange(86400)
                )
                joined = created.date() - datetime.timedelta(days=rng.randrange(0, 3650))
                roll = rng.random()
                rows.append(
                    {
                        "public_id": uuid.uuid4(),
                        "name": name,
                        "name_pinyin": _pinyin(name),
                        "gender": gender,
                        "birth_date": birth,
                        "id_number": number,  # encrypted by the model field on the way in
                        "id_number_hash": digest,
                        "id_tail": number[-4:],
                        "mobile": mobile,
                        "mobile_tail": mobile[-4:],
                        "district_id": district.pk,
                        "organization_id": place.id,
                        "enterprise_id": enterprise_of.get(place.id),
                        "member_number": f"{DISTRICT_CODE}{joined.year}{rng.randrange(10**6):06d}",
                        "joined_on": joined,
                        "hardship_level": "deep"
                        if roll < 0.015
                        else "hardship"
                        if roll < 0.065
                        else "none",
                        "address": "",
                        "user_id": None,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            with transaction.atomic():
                loader.write(rows)
            done += size
            self.progress("workers", done, missing)

    # -- requests ------------------------------------------------------------------------------

    def top_up_cases(
        self, tree: Tree, target: int, batch: int, handlers: dict[int, list[int]], admin_id: int
    ) -> None:
        district = tree.district
        existing = Case.objects.filter(district=district).count()
        missing = target - existing
        if missing <= 0:
            self.log(f"cases: {existing:,} already (asked for {target:,})")
            return
        self.log(f"cases: adding {missing:,} to {existing:,}…")
        workers = [
            WorkerRef(*row)
            for row in Worker.objects.filter(district=district)
            .order_by("id")
            .values_list("id", "organization_id", "name", "name_pinyin", "mobile_tail", "id_tail")
        ]
        numbers = dict(
            CaseSequence.objects.filter(district=district).values_list("year", "last_number")
        )
        rng = random.Random(self.rng.random())
        factory = CaseFactory(rng, self.now, tree, workers, handlers, admin_id, numbers)
        # Submission times over the last YEARS years, more in recent months (the service is
        # better known every month), in order: references are handed out as they came in.
        span = YEARS * 365 * 86400
        ages = sorted((span * rng.random() ** 1.3 for _ in range(missing)), reverse=True)
        case_loader, event_loader = Loader(Case, batch), Loader(CaseEvent, batch)
        use_copy = case_loader.use_copy
        done = events_written = 0
        for start in range(0, missing, batch):
            chunk = ages[start : start + batch]
            built = [factory.build(self.now - datetime.timedelta(seconds=age)) for age in chunk]
            rows = [row for row, _events in built]
            with transaction.atomic():
                if use_copy:
                    for row, pk in zip(rows, reserve_ids(Case, len(rows)), strict=True):
                        row["id"] = pk
                ids = case_loader.write(rows)
                timeline = []
                for pk, (_row, events) in zip(ids, built, strict=True):
                    for event in events:
                        event["case_id"] = pk
                        timeline.append(event)
                event_loader.write(timeline)
                self.save_sequences(district, factory.numbers)
            done += len(chunk)
            events_written += len(timeline)
            self.progress("cases", done, missing, f"{events_written:,} events")

    @staticmethod
    def save_sequences(district: Organization, numbers: dict[int, int]) -> None:
        for year, last in numbers.items():
            CaseSequence.objects.update_or_create(
                district=district, year=year, defaults={"last_number": last}
            )

    # -- output --------------------------------------------------------------------------------

    def progress(self, what: str, done: int, total: int, extra: str = "") -> None:
        self.log(f"{what}: {done:,}/{total:,} ({done / total:.0%}) {extra}".rstrip())

    def report(self, tree: Tree, timings: dict[str, float]) -> None:
        district = tree.district
        cases = Case.objects.filter(district=district)
        total = cases.count()
        officer = (
            Membership.objects.filter(
                user__username=OFFICER, organization__path__startswith=district.path
            )
            .select_related("organization")
            .first()
        )
        self.log("done.")
        for label, seconds in timings.items():
            self.stdout.write(f"  {label:<16} {seconds:8.1f} s")
        self.stdout.write(f"  total            {time.perf_counter() - self.started:8.1f} s")
        workers = Worker.objects.filter(district=district).count()
        self.stdout.write(f"  district {district.name}: {total:,} cases, {workers:,} workers")
        if officer is not None and total:
            scoped = cases.filter(owner_path__startswith=officer.organization.path).count()
            self.stdout.write(
                f"  {OFFICER} ({officer.organization.name}): {scoped:,} cases "
                f"({scoped / total:.1%})"
            )
        if total:
            closed = cases.filter(status__in=[Status.CLOSED, Status.RESOLVED]).count()
            still_open = cases.filter(status__in=Case.OPEN_STATUSES).count()
            self.stdout.write(
                f"  resolved or closed {closed / total:.1%}, open {still_open / total:.1%}"
            )
