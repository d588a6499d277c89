from __future__ import annotations

import datetime
import re
import unicodedata

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.db.models.functions import Length, Substr
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from unionhub.cases.models import Attachment, Case, FollowUp, ServiceCategory
from unionhub.core.access import Cap, access_for
from unionhub.core.forms import DateField, DateInput, DateTimeField, StyledForm
from unionhub.core.masking import mask_id_number, mask_mobile
from unionhub.core.pinyin import compact_pinyin
from unionhub.core.validators import TEXT_LIMIT, is_mobile, normalize_mobile, validate_mobile
from unionhub.orgs.forms import OrganizationChoiceField
from unionhub.orgs.models import Membership, Organization
from unionhub.workers.forms import FULL_NUMBER_MESSAGE, NUMBER_TAIL_PATTERN, TAIL_SEARCH_ATTRS
from unionhub.workers.models import Worker, id_number_hash, is_number_tail
from unionhub.workers.validators import validate_id_number

# A reference as printed (HS-2026-000123), without its prefix or its leading zeros.
REFERENCE_PATTERN = r"(?:[A-Za-z]{1,6}-)?20[0-9]{2}-[0-9]{1,6}"

SORTS = {
    "newest": ("-submitted_at", "-id"),
    "oldest": ("submitted_at", "id"),
    # A request with no clock running (no deadline) comes after every deadline, on SQLite too.
    "due": (F("sla_due_at").asc(nulls_last=True), "-submitted_at"),
    "updated": ("-updated_at", "-id"),
}


# The queue's search column after the reference that starts it: what a number found there
# belongs to the worker or the text (``search_text`` is "<reference> <name> <pinyin> <mobile tail>
# <ID tail> <summary> <description>", lowercased).
SEARCH_REST = Substr("search_text", Length("reference") + 2)


def is_reference(word: str) -> bool:
    return re.fullmatch(REFERENCE_PATTERN, word) is not None


def _tail_labels() -> set[str]:
    """How the queue writes a mobile tail ("尾号1557", "tail 1557"), without the digits: in the
    page's language, and in Chinese whatever the page's language."""
    labels = {(_("tail %(tail)s") % {"tail": ""}).strip().lower(), "尾号"}
    return {label for label in labels if label}


def tail_digits(word: str) -> str | None:
    """The digits of a mobile tail as the queue shows it ("尾号1557" → "1557"), else None."""
    lowered = word.lower()
    for label in _tail_labels():
        rest = lowered.removeprefix(label)
        if rest != lowered and rest.isdigit() and len(rest) <= 6:
            return rest
    return None


def search_words(term: str) -> list[str]:
    """The queue's search as words: split at spaces, a tail's label kept with its digits
    ("尾号 1557" → "尾号1557"), a reference written out as printed ("2026-1853" → "2026-001853")."""
    words: list[str] = []
    for word in (term or "").split():
        if words and words[-1].lower() in _tail_labels() and word.isdigit():
            words[-1] += word
            continue
        if is_reference(word):
            prefix, _dash, number = word.rpartition("-")
            word = f"{prefix}-{int(number):06d}"
        words.append(word)
    return words


def _mobile_q(digits: str) -> Q:
    """Requests of workers whose mobile ends in ``digits`` (up to six). The column holds the
    last four: five or six are checked on the worker, among the rows those four found."""
    last_four = digits[-4:]
    found = Q(search_text__contains=last_four, worker_mobile_tail__endswith=last_four)
    if len(digits) > 4:
        workers = Worker.objects.filter(mobile_tail=last_four, mobile__endswith=digits)
        found &= Q(worker__in=workers.values("pk"))
    return found


def _word_q(word: str) -> Q:
    """What one word of the search matches. The queue's one lowercased column (trigram-indexed
    on PostgreSQL) narrows every alternative; the conditions beside it are checked on the rows
    it found, so the index stays usable."""
    word = word.lower()
    if (tail := tail_digits(word)) is not None:
        # "尾号1557": the worker's mobile, never a reference or an amount in the text.
        return _mobile_q(tail)
    if is_number_tail(word.upper()):
        # A bare number: a mobile or ID tail, a number in the text, or the end of a reference
        # ("0077" finds HS-2026-000077, not HS-2026-000771).
        found = Q(search_text__contains=word) & (
            Q(search_rest__contains=word) | Q(reference__endswith=word.upper())
        )
        if len(word) > 4 and word.isdigit():
            found |= _mobile_q(word)
        return found
    found = Q(search_text__contains=word)
    if (joined := compact_pinyin(word)) != word:  # "xi'an" as the pinyin key holds it
        found |= Q(search_text__contains=joined)
    return found


def search(cases, term: str):
    """``cases`` that match every word of ``term`` (as cleaned by the queue's form)."""
    words = search_words(term)
    if not words:
        return cases
    if any(is_number_tail(word.upper()) for word in words):
        cases = cases.alias(search_rest=SEARCH_REST)
    return cases.filter(search_q(words))


def search_q(words: list[str]) -> Q:
    """Every word must match (失火 住院: the requests that speak of both). Words typed apart
    also find them written together (周 火生 finds 周火生, wang xiaoming finds wangxiaoming): what
    holds the words together holds each of them."""
    found = Q()
    for word in words:
        found &= _word_q(word)
    return found


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each reaches the service, which checks them by content. More
    than ``max_files`` are refused here, before any is read."""

    def __init__(self, *args, max_files: int | None = None, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(*args, **kwargs)
        self.max_files = max_files or settings.UNIONHUB["ATTACHMENTS_PER_SUBMISSION"]

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        if len(files) > self.max_files:
            raise forms.ValidationError(
                _("Attach at most %(n)d files.") % {"n": self.max_files}, code="too_many"
            )
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


# The roles that handle requests: the people a request can be assigned to.
CASE_ROLES = [
    Membership.Role.DISTRICT_ADMIN,
    Membership.Role.STATION_STAFF,
    Membership.Role.ENTERPRISE_CHAIR,
]


def colleagues(user):
    """Staff who handle requests somewhere in ``user``'s scope: the people one can assign to."""
    User = get_user_model()
    return (
        User.objects.filter(
            access_for(user).q("memberships__organization__path", Cap.HANDLE_CASES),
            memberships__role__in=CASE_ROLES,
            is_active=True,
        )
        .distinct()
        .order_by("full_name", "id")
    )


def colleagues_by_organization(user) -> list[tuple[str, list]]:
    """The same colleagues under the organisation each works for, from the top of ``user``'s
    scope down (in one query). A request can go only to someone of its own organisation or of
    one above it, so the organisation tells whom a ticked request can go to."""
    memberships = (
        Membership.objects.filter(
            access_for(user).q("organization__path", Cap.HANDLE_CASES),
            role__in=CASE_ROLES,
            user__is_active=True,
            organization__is_active=True,
        )
        .select_related("user", "organization")
        .order_by("organization__path", "user__full_name", "user_id")
    )
    groups: dict[int, tuple[str, list]] = {}
    for membership in memberships:
        name = membership.organization.name
        people = groups.setdefault(membership.organization_id, (name, []))[1]
        if membership.user not in people:
            people.append(membership.user)
    return list(groups.values())


# A scope this small lists every organisation in the queue's filter, enterprise unions too (a
# station and the unions it serves); a larger one (a district may hold thousands of unions)
# lists its streets and stations.
ORGANIZATION_CHOICES_LIMIT = 100


def organization_choices(user) -> list[tuple[int, str, int]]:
    """(id, name, depth) of the organisations the queue can be filtered by, in tree order: one
    query, or two when the scope is larger than ``ORGANIZATION_CHOICES_LIMIT``."""
    visible = Organization.objects.visible_to(user).order_by("path")
    fields = ("id", "name", "depth")
    rows = list(visible.values_list(*fields)[: ORGANIZATION_CHOICES_LIMIT + 1])
    if len(rows) > ORGANIZATION_CHOICES_LIMIT:
        rows = list(visible.exclude(kind=Organization.Kind.ENTERPRISE_UNION).values_list(*fields))
    return rows


class LenientChoiceField(forms.ChoiceField):
    """A choice that comes from a link (an old bookmark, a hand-edited address): a value it does
    not know falls back to the default instead of emptying the page."""

    def to_python(self, value) -> str:
        value = super().to_python(value)
        return value if self.valid_value(value) else ""


class AssigneeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name()


class QueueFilterForm(StyledForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        help_text=_(
            "Reference, worker's name (or its pinyin initials), last 4 digits of the mobile or ID "
            "number, or words in the text. Several words find the requests that hold them all; "
            "“tail 1234” looks at mobile numbers only."
        ),
        # A reference, or text with at most six digits: full numbers never go into the URL.
        widget=forms.TextInput(
            attrs={"pattern": f"{REFERENCE_PATTERN}|{NUMBER_TAIL_PATTERN}", **TAIL_SEARCH_ATTRS}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Open requests")),
            # New here: submitted, or referred here by another organisation, not yet accepted.
            ("to_accept", _("Waiting to be accepted")),
            ("all", _("All")),
            *Case.Status.choices,
        ],
    )
    sla = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[("", _("Any")), *Case.SlaState.choices],
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=ServiceCategory.objects.all(),
        empty_label=_("All categories"),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), required=False, choices=[("", _("Any")), *Case.Urgency.choices]
    )
    organization = forms.ChoiceField(
        label=_("Organisation"),
        required=False,
        help_text=_("Requests owned by this organisation or any below it."),
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    since = DateField(label=_("Submitted from"), required=False, widget=DateInput())
    until = DateField(label=_("Submitted to"), required=False, widget=DateInput())
    sort = LenientChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("due", _("Deadline first")),
            ("updated", _("Recently updated")),
        ],
    )

    def __init__(self, *args, user, for_page: bool = True, **kwargs) -> None:
        """On a page the organisation and assignee filters are drop-downs (one query each); the
        API takes ids and checks only the ones given."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.can_be_assigned = access_for(user).can(Cap.HANDLE_CASES)
        self.colleagues: list = []
        self.colleague_groups: list = []
        if for_page:
            organizations = organization_choices(user)
            top = min((depth for _pk, _name, depth in organizations), default=0)
            self.fields["organization"].choices = [
                ("", _("All my organisations")),
                *((str(pk), "\u3000" * (depth - top) + name) for pk, name, depth in organizations),
            ]
            self.colleague_groups = colleagues_by_organization(user)
            everyone = {person for _name, people in self.colleague_groups for person in people}
            self.colleagues = sorted(everyone, key=lambda person: (person.full_name, person.pk))
            # Only those who handle requests are ever assigned one (a fund approver or auditor
            # reads the queue, never works it).
            mine = [("me", _("Assigned to me"))] if self.can_be_assigned else []
            self.fields["assignee"].choices = [
                ("", _("Anyone")),
                *mine,
                ("none", _("Nobody yet")),
                *((str(u.pk), u.get_full_name()) for u in self.colleagues),
            ]
        else:
            self.fields["organization"] = forms.IntegerField(required=False)
            self.fields["assignee"] = forms.CharField(required=False)
            # A program sends what it means: an unknown order is refused, not quietly replaced.
            self.fields["sort"] = forms.ChoiceField(
                required=False, choices=[("", ""), *self.fields["sort"].choices]
            )

    def clean_organization(self):
        value = self.cleaned_data.get("organization")
        if value in (None, ""):
            return None
        organization = Organization.objects.visible_to(self.user).filter(pk=value).first()
        if organization is None:
            raise forms.ValidationError(_("Choose one of your organisations."), code="invalid")
        return organization

    def clean_assignee(self):
        value = (self.cleaned_data.get("assignee") or "").strip()
        if value in ("", "me", "none"):
            return value
        if not value.isdigit() or not colleagues(self.user).filter(pk=int(value)).exists():
            raise forms.ValidationError(_("Choose one of your colleagues."), code="invalid")
        return value

    def clean_q(self) -> str:
        """The words searched, space-separated: a reference as printed is written out in full
        ("2026-1853" → "2026-001853"), a tail as the queue shows it ("尾号 1557") kept as one
        word. More than six digits in all (a full number) are refused: they would be in the URL."""
        words = search_words(self.cleaned_data["q"])
        if sum(ch.isdigit() for word in words if not is_reference(word) for ch in word) > 6:
            raise forms.ValidationError(FULL_NUMBER_MESSAGE, code="full_number")
        return " ".join(words)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filter(self, cases):
        """Apply the filters to ``cases`` (already scoped to the user)."""
        data = self.cleaned_data
        status = data.get("status")
        if status == "all":
            pass
        elif status == "to_accept":
            cases = cases.filter(status__in=Case.AWAITING_RESPONSE)
        elif status:
            cases = cases.filter(status=status)
        else:
            cases = cases.open()
        now = timezone.now()
        sla = data.get("sla")
        if sla == Case.SlaState.BREACHED:
            cases = cases.breached(now)
        elif sla == Case.SlaState.DUE_SOON:
            cases = cases.due_soon(now)
        elif sla == Case.SlaState.ON_TIME:
            cases = cases.on_time(now)
        if data.get("category"):
            cases = cases.filter(category=data["category"])
        if data.get("urgency"):
            cases = cases.filter(urgency=data["urgency"])
        if data.get("organization"):
            cases = cases.filter(owner_path__startswith=data["organization"].path)
        assignee = data.get("assignee")
        if assignee == "me":
            cases = cases.filter(assignee=self.user)
        elif assignee == "none":
            cases = cases.filter(assignee__isnull=True)
        elif assignee:
            cases = cases.filter(assignee_id=int(assignee))
        tz = timezone.get_current_timezone()
        if data.get("since"):
            start = datetime.datetime.combine(data["since"], datetime.time.min, tzinfo=tz)
            cases = cases.filter(submitted_at__gte=start)
        if data.get("until"):
            end = datetime.datetime.combine(
                data["until"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            )
            cases = cases.filter(submitted_at__lt=end)
        cases = search(cases, data.get("q") or "")
        return cases.order_by(*SORTS.get(data.get("sort") or "newest", SORTS["newest"]))


class FollowUpFilterForm(StyledForm):
    """The follow-up list's filters: by default what is due within a week, overdue included."""

    WINDOWS = {"today": 0, "week": 6, "month": 29}
    when = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[
            ("week", _("Within 7 days, overdue included")),
            ("today", _("Today or overdue")),
            ("overdue", _("Overdue only")),
            ("month", _("Within 30 days, overdue included")),
            ("all", _("Any time")),
        ],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any")), *FollowUp.Kind.choices]
    )
    mine = forms.BooleanField(label=_("Only requests assigned to me"), required=False)

    def filter(self, followups, *, user, today: datetime.date):
        """Apply the filters to ``followups`` (already scoped to the user and still scheduled)."""
        data = self.cleaned_data
        when = data.get("when") or "week"
        if when == "overdue":
            followups = followups.filter(due_on__lt=today)
        elif when in self.WINDOWS:
            followups = followups.filter(
                due_on__lte=today + datetime.timedelta(days=self.WINDOWS[when])
            )
        if data.get("kind"):
            followups = followups.filter(kind=data["kind"])
        if data.get("mine"):
            followups = followups.filter(case__assignee=user)
        return followups


class IntakeWorkerSearchForm(StyledForm):
    """The worker search at intake. The caller reads out their whole mobile or ID number, so
    the page sends the search by POST, where a number travels in no address and no log line:
    a whole number is looked up exactly (within the user's scope, as every search). Sent by GET
    (an old link), a search takes tails only, as every other search box does.

    ``kind`` says what was typed, for the page to say what it did: ``name``, ``tail`` (4–6
    digits), ``mobile`` or ``id`` (a whole number), ``partial`` (on the way to a whole number:
    nothing is searched yet), ``too_long``, ``mixed`` (a name and a long number at once)."""

    q = forms.CharField(required=False, max_length=40)

    def __init__(self, *args, whole_numbers: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.whole_numbers = whole_numbers
        self.kind = ""
        self.number = ""

    def clean_q(self) -> str:
        term = unicodedata.normalize("NFKC", self.cleaned_data["q"]).strip()
        # As it is read out or pasted: 153 3123 4567, 153-3123-4567, +86 153…
        compact = re.sub(r"[\s\-]", "", term).upper().removeprefix("+86")
        if not term:
            return ""
        if not re.fullmatch(r"[0-9]+X?", compact):
            digits = sum(ch.isdigit() for ch in term)
            self.kind = "mixed" if digits > 6 else "name"
            return term
        if len(compact) <= 6:
            self.kind = "tail" if is_number_tail(compact) else "partial"
            self.number = compact
            return compact
        if not self.whole_numbers:
            raise forms.ValidationError(FULL_NUMBER_MESSAGE, code="full_number")
        mobile = normalize_mobile(compact)
        if len(compact) in (11, 13) and is_mobile(mobile):
            self.kind, self.number = "mobile", mobile
        elif len(compact) == 18:
            validate_id_number(compact)  # a slip in a digit is said at once
            self.kind, self.number = "id", compact
        elif len(compact) > 18:
            self.kind = "too_long"
        else:
            # Not yet a whole number (an ID number's first eleven digits may also look like a
            # landline): nothing is searched until it is one.
            self.kind = "partial"
        return compact

    def search(self, workers):
        """``workers`` (already scoped) that match, or None when there is nothing to search."""
        term = self.cleaned_data.get("q") or ""
        if self.kind == "name":
            return workers.search(term)
        if self.kind == "tail":
            return workers.search(self.number)
        if self.kind == "mobile":
            return workers.filter(mobile_tail=self.number[-4:], mobile=self.number)
        if self.kind == "id":
            return workers.filter(id_number_hash=id_number_hash(self.number))
        return None

    @property
    def masked_number(self) -> str:
        if self.kind == "mobile":
            return mask_mobile(self.number)
        if self.kind == "id":
            return mask_id_number(self.number)
        return self.number


class IntakeForm(StyledForm):
    """Staff intake: an existing worker (found by search) or a new one registered on the spot."""

    worker = forms.UUIDField(required=False, widget=forms.HiddenInput)
    new_name = forms.CharField(label=_("Name"), required=False, max_length=50)
    new_id_number = forms.CharField(
        label=_("ID number"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    new_mobile = forms.CharField(
        label=_("Mobile number"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=ServiceCategory.objects.filter(is_active=True)
    )
    channel = forms.ChoiceField(
        label=_("Came in by"),
        choices=[c for c in Case.Channel.choices if c[0] not in ("mobile", "referral")],
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Case.Urgency.choices)
    summary = forms.CharField(label=_("Summary"), max_length=100)
    description = forms.CharField(
        label=_("What happened, what is needed"), widget=forms.Textarea(attrs={"rows": 5})
    )
    preferred_contact_time = forms.CharField(
        label=_("Best time to contact"), required=False, max_length=50
    )
    occurred_at = DateTimeField(
        label=_("When it happened"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reporter_name = forms.CharField(
        label=_("Reported by"),
        required=False,
        max_length=50,
        help_text=_("Leave empty when the worker came themselves."),
    )
    reporter_relation = forms.CharField(
        label=_("Relation to the worker"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. colleague, spouse, team leader")}),
    )
    reporter_phone = forms.CharField(
        label=_("Reporter's phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    organization = OrganizationChoiceField(
        label=_("Owning organisation"),
        required=False,
        queryset=Organization.objects.none(),
        help_text=_(
            "Leave empty for the worker's own union or station; a newly registered worker needs "
            "one."
        ),
    )
    attachments = MultipleFileField(label=_("Photos or PDFs (up to 5)"), required=False)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.visible_to(
            user, Cap.HANDLE_CASES
        ).only("id", "name", "depth", "path")
        # An enterprise union's chair has one organisation to choose: it is chosen for them.
        only = list(self.fields["organization"].queryset[:2])
        if len(only) == 1:
            self.fields["organization"].initial = only[0].pk

    def clean(self):
        """With no worker found, the fields that register one: every mistake among them is
        named at once, beside its field (the service checks them again, and whether the ID
        number is registered already)."""
        data = super().clean()
        if data.get("worker"):
            return data
        new = {field: data.get(field) for field in ("new_name", "new_id_number", "new_mobile")}
        if not any(new.values()):
            raise forms.ValidationError(
                _("Find the worker, or fill in name, ID number and mobile to register them.")
            )
        for field, value in new.items():
            if not value and field not in self.errors:  # (too long: already said)
                self.add_error(field, _("Needed to register the worker."))
        checks = [("new_id_number", validate_id_number), ("new_mobile", validate_mobile)]
        for field, check in checks:
            if new[field]:
                try:
                    check(new[field])
                except forms.ValidationError as error:
                    self.add_error(field, error)
        if "organization" in self.fields and not data.get("organization"):
            self.add_error(
                "organization",
                _("Choose the owning organisation for a newly registered worker."),
            )
        return data


class WorkerRequestForm(StyledForm):
    """The worker's own request, on the phone."""

    category = forms.ModelChoiceField(
        label=_("What do you need help with?"),
        queryset=ServiceCategory.objects.filter(is_active=True),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose what you need help with.")},
    )
    summary = forms.CharField(
        label=_("In a few words"),
        max_length=100,
        # ``data-count``: portal.js shows how much room is left (textareas have it anyway).
        widget=forms.TextInput(attrs={"data-count": ""}),
        error_messages={"required": _("Say in a few words what you need.")},
    )
    description = forms.CharField(
        label=_("Tell us what happened"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Tell us what happened.")},
    )
    preferred_contact_time = forms.CharField(
        label=_("When can we call you?"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. weekdays after 18:00")}),
    )
    attachments = MultipleFileField(label=_("Photos or PDFs (up to 5)"), required=False)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Both limits said before typing, not only after a refusal (the service also refuses a
        # description of fewer than 5 characters).
        summary, description = self.fields["summary"], self.fields["description"]
        summary.help_text = gettext("At most %(limit)d characters.") % {"limit": summary.max_length}
        description.help_text = gettext(
            "At least 5 and at most %(limit)d characters: what happened, and what help you need."
        ) % {"limit": description.max_length}


class WorkerAddForm(StyledForm):
    """The worker adds to their open request: a few words, photos, or both."""

    text = forms.CharField(
        label=_("What do you want to add?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example a bill you forgot, or an answer to your union's question."),
    )
    attachments = MultipleFileField(label=_("Photos or PDFs (up to 5)"), required=False)


class NoteForm(StyledForm):
    text = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}))


class ContactForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("call", _("Phone call")), ("visit", _("Visit"))],
    )
    happened_at = DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    summary = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    counselling = forms.CharField(
        label=_("Counselling given"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    followup = forms.ModelChoiceField(
        label=_("For the scheduled follow-up"), required=False, queryset=FollowUp.objects.none()
    )

    def __init__(self, *args, case=None, followups=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if case is not None:
            field = self.fields["followup"]
            field.queryset = case.followups.filter(status=FollowUp.Status.SCHEDULED).exclude(
                kind=FollowUp.Kind.CHECK_BACK
            )
            if followups is not None:
                # The case page has the follow-ups already: offer them without asking again.
                field.choices = [("", field.empty_label)] + [
                    (f.pk, str(f))
                    for f in followups
                    if f.status == FollowUp.Status.SCHEDULED and f.kind != FollowUp.Kind.CHECK_BACK
                ]


class AssignForm(StyledForm):
    assignee = AssigneeChoiceField(label=_("Assign to"), queryset=get_user_model().objects.none())

    def __init__(self, *args, user, case=None, **kwargs) -> None:
        """On a request's page: only the colleagues who handle requests for its owner (those
        the service accepts)."""
        super().__init__(*args, **kwargs)
        people = colleagues(user)
        if case is not None:
            from unionhub.cases.services import assignees_for

            people = people.filter(pk__in=assignees_for(case).values("pk"))
        self.fields["assignee"].queryset = people


class CloseForm(StyledForm):
    note = forms.CharField(
        label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the reason.")},
    )


class SendBackForm(ReasonForm):
    """Sending a referred request back to the organisation that referred it."""

    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("The organisation that referred it reads this reason; the worker does not."),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the reason.")},
    )


class RejectForm(ReasonForm):
    """Turning a request down: the reason goes to the worker word for word."""

    reason = forms.CharField(
        label=_("Reason"),
        help_text=_(
            "The worker reads this reason on their phone: keep internal remarks for a note."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the reason.")},
    )


class ReopenForm(ReasonForm):
    """The worker reopens a resolved request, on the phone."""

    reason = forms.CharField(
        label=_("What is still not solved?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Tell us what is still not solved.")},
    )


class ResolveForm(StyledForm):
    resolution = forms.CharField(
        label=_("How it was resolved"),
        help_text=_("The worker reads this on their phone."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReferForm(StyledForm):
    organization = OrganizationChoiceField(
        label=_("Refer to"), queryset=Organization.objects.none()
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if case is not None:
            from unionhub.cases.services import referral_targets

            self.fields["organization"].queryset = referral_targets(case).only(
                "id", "name", "depth", "path"
            )


class ReferPartForm(ReferForm):
    summary = forms.CharField(label=_("What is referred"), max_length=100)

    field_order = ["organization", "summary", "reason"]


class AttachmentForm(StyledForm):
    file = forms.FileField(
        label=_("Photo or PDF"), widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"})
    )
    visible_to_worker = forms.BooleanField(label=_("The worker may see it"), required=False)


class PublicIdChoiceField(forms.ModelChoiceField):
    """A record chosen by its public id: a value that is no id at all is just not a choice."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code == "invalid_choice":
                raise
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class FileShareForm(StyledForm):
    """One button beside a file: show it to the worker, or keep it for staff only."""

    attachment = PublicIdChoiceField(
        queryset=Attachment.objects.none(),
        to_field_name="public_id",
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose one of this request's files."),
            "invalid_choice": _("Choose one of this request's files."),
        },
    )
    visible = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachment"].queryset = case.attachments.all()


class ScheduleForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("visit", _("Visit")), ("call", _("Phone call"))]
    )
    due_on = DateField(label=_("On"), widget=DateInput())


class FollowUpChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, followup) -> str:
        return f"{followup.due_on:%Y-%m-%d} {followup.get_kind_display()}"


class FollowUpChangeForm(StyledForm):
    """Move a scheduled visit or call to another day, or record that it will not be made."""

    MOVE, SKIP = "move", "skip"

    followup = FollowUpChoiceField(label=_("Follow-up"), queryset=FollowUp.objects.none())
    change = forms.ChoiceField(
        label=_("Change"),
        choices=[(MOVE, _("Move it to another day")), (SKIP, _("Skip it"))],
        initial=MOVE,
        widget=forms.RadioSelect,
    )
    due_on = DateField(label=_("New day"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case=None, followups=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if case is not None:
            field = self.fields["followup"]
            field.queryset = case.followups.filter(status=FollowUp.Status.SCHEDULED)
            if followups is not None:
                # The case page has the follow-ups already: offer them without asking again.
                field.choices = [("", field.empty_label)] + [
                    (f.pk, field.label_from_instance(f))
                    for f in followups
                    if f.status == FollowUp.Status.SCHEDULED
                ]

    def clean(self):
        data = super().clean()
        moving = data.get("change") == self.MOVE
        if moving and not data.get("due_on") and "due_on" not in self.errors:
            self.add_error("due_on", _("Choose the new day."))
        return data


class CheckBackForm(StyledForm):
    followup = forms.ModelChoiceField(queryset=FollowUp.objects.none(), widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUp.Outcome.choices)
    summary = forms.CharField(
        label=_("What the worker said"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["followup"].queryset = case.followups.filter(
                kind=FollowUp.Kind.CHECK_BACK, status=FollowUp.Status.SCHEDULED
            )


class RatingForm(StyledForm):
    # Best first, each with its words, as satisfaction forms in China read.
    RATINGS = [
        (5, _("Very satisfied")),
        (4, _("Satisfied")),
        (3, _("Neutral")),
        (2, _("Dissatisfied")),
        (1, _("Very dissatisfied")),
    ]
    rating = forms.TypedChoiceField(
        label=_("How was our service?"),
        coerce=int,
        choices=RATINGS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are.")},
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CategoryForm(StyledForm):
    name = forms.CharField(label=_("Name (Chinese)"), max_length=50)
    name_en = forms.CharField(label=_("Name (English)"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    response_sla_hours = forms.IntegerField(label=_("Respond within (hours)"), min_value=1)
    resolution_sla_hours = forms.IntegerField(label=_("Resolve within (hours)"), min_value=1)
    is_emergency = forms.BooleanField(label=_("Emergency"), required=False)
    allows_payment = forms.BooleanField(label=_("Money may be paid"), required=False)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=1000)
    is_active = forms.BooleanField(label=_("In use"), required=False)

    def clean(self):
        """Said here as well as by the service, so that it shows with the plan's mistakes."""
        data = super().clean()
        response, resolution = data.get("response_sla_hours"), data.get("resolution_sla_hours")
        if response and resolution and resolution < response:
            self.add_error(
                "resolution_sla_hours",
                _("The time to resolve cannot be shorter than the time to respond."),
            )
        return data


class PlanStepForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", "—"), ("visit", _("Visit")), ("call", _("Phone call"))],
    )
    day = forms.IntegerField(label=_("On day"), required=False, min_value=0, max_value=730)
    every = forms.IntegerField(
        label=_("Then every (days)"), required=False, min_value=1, max_value=365
    )
    until = forms.IntegerField(label=_("Until day"), required=False, min_value=0, max_value=730)

    def clean(self):
        """A row is empty (left out), or a whole step: a kind and a day, and, if it repeats, how
        often and a last day after the first. Anything in between is said on its row, never
        guessed: a repeating visit saved as one visit is a worker nobody goes back to."""
        data = super().clean()
        kind, day = data.get("kind"), data.get("day")
        every, until = data.get("every"), data.get("until")
        typed = any(data.get(name) is not None for name in ("day", "every", "until"))
        typed = typed or any(name in self.errors for name in ("day", "every", "until"))
        if not kind and typed:
            self.add_error("kind", _("Choose a visit or a call for this step, or clear the row."))
        if kind and day is None and "day" not in self.errors:
            self.add_error("day", _("Enter the day of this step (0 is the day of acceptance)."))
        if every and "until" not in self.errors:
            if until is None:
                self.add_error("until", _("Enter the day it repeats until."))
            elif day is not None and until <= day:
                self.add_error(
                    "until",
                    _("The last day must come after the first (day %(day)d).") % {"day": day},
                )
        if until is not None and not every and "every" not in self.errors:
            self.add_error("every", _("Enter how often it repeats, or clear the last day."))
        return data


PlanFormSet = formset_factory(PlanStepForm, extra=3, max_num=12, can_delete=True)


def plan_from_formset(formset) -> list[dict]:
    """The steps of a valid formset (each row checked by ``PlanStepForm.clean``)."""
    steps = []
    for data in formset.cleaned_data:
        if not data or data.get("DELETE") or not data.get("kind"):
            continue
        step = {"kind": data["kind"], "day": data["day"]}
        if data.get("every"):
            step["every"] = data["every"]
            step["until"] = data["until"]
        steps.append(step)
    return steps
