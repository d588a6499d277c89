from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from unionhub.core.forms import DateField, DateInput, StyledForm
from unionhub.enterprises.models import Enterprise
from unionhub.orgs.forms import OrganizationChoiceField
from unionhub.orgs.models import Organization
from unionhub.workers.models import Consent, FamilyMember, Worker

# At most six digits in all, whatever else is typed.
NUMBER_TAIL_PATTERN = r"(?:[^0-9]*[0-9]){0,6}[^0-9]*"
# Said when a full number is typed into a search (by the browser before sending, by the form after).
FULL_NUMBER_MESSAGE = _(
    "To protect privacy, search with only the last 4–6 digits of a mobile or ID number."
)
# A search box that never sends a full number: the browser stops it and says why (console.js).
TAIL_SEARCH_ATTRS = {"autocomplete": "off", "data-pattern-message": FULL_NUMBER_MESSAGE}


class WorkerSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=30,
        help_text=_(
            "A name or its pinyin, the last 4–6 digits of the mobile number, "
            "or the last 4 of the ID number."
        ),
        # The browser refuses to send a full number (it would end up in URLs and logs); htmx
        # checks the form's validity before each request.
        widget=forms.TextInput(attrs={"pattern": NUMBER_TAIL_PATTERN, **TAIL_SEARCH_ATTRS}),
    )
    hardship_level = forms.ChoiceField(
        label=_("Hardship level"),
        required=False,
        choices=[("", _("Any")), *Worker.Hardship.choices],
    )

    def clean_q(self) -> str:
        term = self.cleaned_data["q"].strip()
        digits = sum(ch.isdigit() for ch in term)
        # Full numbers would travel in the URL and the server's logs: tails only.
        if digits > 6:
            raise forms.ValidationError(FULL_NUMBER_MESSAGE, code="full_number")
        return term

    def filter(self, queryset):
        data = self.cleaned_data
        queryset = queryset.search(data.get("q", ""))
        if data.get("hardship_level"):
            queryset = queryset.filter(hardship_level=data["hardship_level"])
        return queryset


class WorkerForm(StyledForm):
    """Used for adding and editing; the service does the checking, the form only collects."""

    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        min_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    enterprise = forms.ModelChoiceField(
        label=_("Enterprise"),
        queryset=Enterprise.objects.none(),
        required=False,
        help_text=_(
            "Leave empty if the worker has no employer, or their employer is not registered here."
        ),
    )
    organization = OrganizationChoiceField(
        label=_("Registered with"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("For workers without an enterprise: the station or street that serves them."),
    )
    member_number = forms.CharField(label=_("Union member number"), max_length=30, required=False)
    joined_on = DateField(label=_("Joined the union on"), required=False, widget=DateInput())
    hardship_level = forms.ChoiceField(label=_("Hardship level"), choices=Worker.Hardship.choices)
    hardship_reviewed_on = DateField(
        label=_("Hardship last reviewed"), required=False, widget=DateInput()
    )
    hardship_review_due = DateField(
        label=_("Hardship review due"), required=False, widget=DateInput()
    )
    address = forms.CharField(label=_("Home address"), max_length=200, required=False)

    def __init__(self, *args, user, worker: Worker | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from unionhub.core.access import Cap

        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(
            user, Cap.MANAGE_WORKERS
        ).only("id", "name")
        self.fields["organization"].queryset = (
            Organization.objects.visible_to(user, Cap.MANAGE_WORKERS)
            .filter(kind__in=[Organization.Kind.STATION, Organization.Kind.STREET])
            .only("id", "name", "kind", "depth", "path")
        )
        if worker is not None:
            # The full number is not put into the page: it stays unless a new one is typed.
            field = self.fields["id_number"]
            field.required = False
            field.help_text = _("Leave empty to keep %(masked)s.") % {
                "masked": worker.id_number_masked
            }

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("enterprise") and data.get("organization") is None:
            data.pop("organization")
        return data


class RevealForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for viewing the full number"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Your name, the time and this reason are kept in the access log."),
    )


class EraseForm(StyledForm):
    """Deleting a worker's personal data at their request (PIPL): the request it answers, and
    a tick that says the officer knows it cannot be undone."""

    prefix = "erase"  # beside the ID reveal's own "reason" on the worker's page

    reason = forms.CharField(
        label=_("Basis for deletion"),
        max_length=200,
        help_text=_("E.g. the worker's written request of 2026-11-20, received by the station."),
    )
    confirm = forms.BooleanField(
        label=_("I understand this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class FamilyMemberForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=50)
    relation = forms.ChoiceField(label=_("Relation"), choices=FamilyMember.Relation.choices)
    birth_date = DateField(label=_("Birth date"), required=False, widget=DateInput())
    school = forms.CharField(label=_("School"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ConsentForm(StyledForm):
    purpose = forms.ChoiceField(label=_("The worker agreed to"), choices=Consent.Purpose.choices)


class EnableLoginForm(StyledForm):
    password = forms.CharField(
        label=_("Initial password"),
        min_length=8,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Tell the worker in person; they can change it on their phone."),
    )
