from __future__ import annotations

import datetime
import re
import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionhub.core.forms import TEXT_LIMIT, DateField, DateInput, DateTimeField, StyledForm
from unionhub.core.money import MAX_AMOUNT, amount_too_large_message, format_yuan
from unionhub.enterprises.models import Enterprise
from unionhub.funds.models import (
    AuditFinding,
    AuditItem,
    Disbursement,
    Donation,
    Fund,
    FundAudit,
)


class IdempotentForm(StyledForm):
    """Carries a key drawn when the form is shown, so a repeated submission books once."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def key(self) -> str:
        return str(self.cleaned_data["idempotency_key"])


class MoneyInput(forms.TextInput):
    def __init__(self, attrs=None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})


# A review's seed: twelve digits are plenty to redraw a sample, and read out without a slip.
SEED_LIMIT = 10**12 - 1


class MoneyField(forms.DecimalField):
    """Yuan as people type them: digits, thousands commas allowed, at most two decimals, with or
    without the yuan sign or 元 ("¥2,000", "2000元"). "1e5", "-5" or "0x10" are refused with one
    clear message instead of being read as numbers; a third decimal is refused as such."""

    PLAIN = re.compile(r"(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?")  # 2000, 2,000 or 2,000.50
    FEN_AND_LESS = re.compile(r"(\d{1,3}(,\d{3})+|\d+)\.\d{3,}")  # 12.345
    YUAN = re.compile(r"^[¥￥]\s*|\s*元$")

    def to_python(self, value):
        if isinstance(value, str):
            typed = self.YUAN.sub("", value.strip().replace("，", ","))
            if typed.startswith("-") and self.PLAIN.fullmatch(typed[1:].strip()):
                raise forms.ValidationError(
                    _("An amount is more than zero: enter it without a minus sign."),
                    code="negative",
                )
            if self.FEN_AND_LESS.fullmatch(typed):
                raise forms.ValidationError(
                    _("An amount has at most two decimals (fen)."), code="too_precise"
                )
            if typed and not self.PLAIN.fullmatch(typed):
                raise forms.ValidationError(
                    _("Enter an amount in yuan, e.g. 2000 or 2000.50."), code="invalid"
                )
            value = typed.replace(",", "")
        return super().to_python(value)

    def validate(self, value):
        # Before the digit count: "99999999999999" is too large, not "too many digits".
        if value is not None and value > MAX_AMOUNT:
            raise forms.ValidationError(amount_too_large_message(), code="max_value")
        super().validate(value)


def money_field(label, **kwargs) -> forms.DecimalField:
    """Yuan with two decimals; the service rounds nothing and refuses more precision."""
    kwargs.setdefault("error_messages", {"required": _("Enter the amount.")})
    return MoneyField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        widget=MoneyInput(),
        **kwargs,
    )


class PeriodForm(StyledForm):
    start = DateField(label=_("From"), widget=DateInput())
    end = DateField(label=_("To"), widget=DateInput())

    def clean_end(self):
        # A closing balance "as at" a day still to come would read as a figure known today.
        end = self.cleaned_data["end"]
        today = timezone.localdate()
        if end > today:
            raise forms.ValidationError(
                _("A period ends today (%(today)s) at the latest: %(date)s has not come yet."),
                code="future",
                params={"today": today.isoformat(), "date": end.isoformat()},
            )
        return end

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    @staticmethod
    def default_initial() -> dict:
        today = timezone.localdate()
        return {"start": today.replace(month=1, day=1), "end": today}


class FullNamesForm(PeriodForm):
    """The period's beneficiaries under their full names: only with a reason, kept in the audit
    log (as a full ID number is shown)."""

    reason = forms.CharField(
        label=_("Why you need the full names"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Your name, the fund, the period and this reason are kept in the audit log."),
    )


class DonationForm(IdempotentForm):
    """Money received: a donation, or an allocation from a higher union or a public grant."""

    donor_kind = forms.ChoiceField(
        label=_("Source"),
        choices=Donation.DonorKind.choices,
        help_text=_(
            "Money from a higher union or the public budget is an allocation or a grant, not an "
            "enterprise's donation: it gets a record of receipt, not a donation receipt."
        ),
    )
    donor_name = forms.CharField(
        label=_("Donor or sending body"),
        max_length=100,
        required=False,
        help_text=_(
            "For an allocation or a grant, the body that sent it (e.g. the city federation "
            "of trade unions, the district finance bureau)."
        ),
    )
    donor_enterprise = forms.ModelChoiceField(
        label=_("Donor enterprise"), queryset=Enterprise.objects.none(), required=False
    )
    amount = money_field(_("Amount (yuan)"))
    channel = forms.ChoiceField(label=_("Received through"), choices=Donation.Channel.choices)
    received_on = DateField(label=_("Received on"), widget=DateInput(), initial=timezone.localdate)
    collection = forms.CharField(
        label=_("Collection"),
        max_length=100,
        required=False,
        help_text=_("e.g. Spring Festival 2026 employee collection"),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["donor_enterprise"].queryset = Enterprise.objects.visible_to(user).only(
            "id", "name"
        )

    def clean(self):
        data = super().clean()
        # An enterprise's donation with neither an enterprise picked nor a name typed: say so
        # at the picker, not at the name box (which the service would name).
        if (
            data.get("donor_kind") == Donation.DonorKind.ENTERPRISE
            and not data.get("donor_enterprise")
            and not (data.get("donor_name") or "").strip()
            and "donor_enterprise" not in self.errors
        ):
            self.add_error(
                "donor_enterprise",
                _(
                    "Choose the enterprise that gave the money. For one not in the list, type "
                    "its name under “Donor or sending body” instead."
                ),
            )
        return data


class DonationFilterForm(StyledForm):
    """The money received list narrowed by the day received, the collection it came in, its
    source and how it came in; every field may be left empty."""

    start = DateField(label=_("Received from"), required=False, widget=DateInput())
    end = DateField(label=_("Received to"), required=False, widget=DateInput())
    collection = forms.ChoiceField(label=_("Collection"), required=False)
    donor_kind = forms.ChoiceField(
        label=_("Source"),
        required=False,
        choices=[("", _("All sources")), *Donation.DonorKind.choices],
    )
    channel = forms.ChoiceField(
        label=_("Received through"),
        required=False,
        choices=[("", _("All channels")), *Donation.Channel.choices],
    )

    def __init__(self, *args, collections, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collection"].choices = [
            ("", _("All collections")),
            *((name, name) for name in collections),
        ]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filter(self, donations):
        data = self.cleaned_data
        if data.get("start"):
            donations = donations.filter(received_on__gte=data["start"])
        if data.get("end"):
            donations = donations.filter(received_on__lte=data["end"])
        for field in ("collection", "donor_kind", "channel"):
            if data.get(field):
                donations = donations.filter(**{field: data[field]})
        return donations


class FundChoiceField(forms.ModelChoiceField):
    """A fund with what it holds now and, when payments are approved and not yet paid, what is
    left of it for new ones, so nobody asks blindly; the only fund is chosen already."""

    def label_from_instance(self, fund) -> str:
        values = {"fund": fund.name, "balance": format_yuan(fund.balance)}
        committed = getattr(fund, "committed", None)
        if committed:
            values["available"] = format_yuan(fund.available)
            return _("%(fund)s (holds %(balance)s, %(available)s available)") % values
        return _("%(fund)s (holds %(balance)s)") % values

    def offer(self, funds) -> None:
        """Offer ``funds`` (a queryset, also used to check the choice when posted)."""
        from unionhub.funds.services import with_commitments

        self.queryset = funds
        funds = with_commitments(funds)
        self.offered = len(funds)
        self.choices = [(f.pk, self.label_from_instance(f)) for f in funds]
        if len(funds) == 1:
            self.initial = funds[0].pk
        else:
            self.choices = [("", self.empty_label), *self.choices]


class DisbursementRequestForm(IdempotentForm):
    fund = FundChoiceField(label=_("From fund"), queryset=Fund.objects.none())
    amount = money_field(_("Amount (yuan)"))
    method = forms.ChoiceField(label=_("Payment method"), choices=Disbursement.Method.choices)
    urgent = forms.BooleanField(
        label=_("Urgent: approvers are told at once and see it first"), required=False
    )
    reason = forms.CharField(
        label=_("Why the money is needed"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].offer(Fund.objects.to_ask_for(user, case))
        self.case = case


class ReferenceField(forms.CharField):
    """A payment's voucher number: needed for every payment method (``services.
    REFERENCE_REQUIRED``), so it is marked required; left empty, the service refuses it in the
    words of the method chosen (a bank slip, a signed receipt, a delivery note), beside it."""

    def validate(self, value) -> None:
        if value in self.empty_values:
            return  # the service says which voucher is missing
        super().validate(value)


def payment_reference_field() -> forms.CharField:
    return ReferenceField(
        label=_("Payment reference"),
        max_length=60,
        required=True,
        help_text=_(
            "Needed for every payment: the bank slip number of a transfer, or the number of the "
            "cash receipt or delivery note the recipient signed."
        ),
    )


class AdvanceForm(IdempotentForm):
    fund = FundChoiceField(label=_("Advance from fund"), queryset=Fund.objects.none())
    amount = money_field(_("Amount (yuan)"))
    method = forms.ChoiceField(label=_("Payment method"), choices=Disbursement.Method.choices)
    payment_reference = payment_reference_field()
    reason = forms.CharField(
        label=_("Why it cannot wait"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, case, **kwargs) -> None:
        # It shares the page with the request form: its fields' ids differ.
        kwargs.setdefault("auto_id", "id_advance_%s")
        super().__init__(*args, **kwargs)
        self.fields["fund"].offer(Fund.objects.to_ask_for(user, case).filter(advance_officers=user))


class CommentForm(StyledForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class PayForm(IdempotentForm):
    payment_reference = payment_reference_field()


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(StyledForm):
    # Required by the service, which says so in its own words.
    reason = forms.CharField(
        label=_("Why it is taken down early"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReverseForm(IdempotentForm):
    reason = forms.CharField(
        label=_("Why the entry is reversed"), widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferForm(IdempotentForm):
    target = forms.ModelChoiceField(label=_("To fund"), queryset=Fund.objects.none())
    amount = money_field(_("Amount (yuan)"))
    memo = forms.CharField(label=_("Purpose"), max_length=200)

    def __init__(self, *args, user, source: Fund, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Fund.objects.transfer_targets(user, source)


class CloseForm(StyledForm):
    through = DateField(label=_("Close the books through"), widget=DateInput())
    # What the confirmation showed, sent back with it: the close is refused if it changed.
    expect_closing = forms.DecimalField(
        required=False, max_digits=14, decimal_places=2, widget=forms.HiddenInput
    )
    expect_entries = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class DisclosureForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=150, required=False)
    period_start = DateField(label=_("From"), widget=DateInput())
    period_end = DateField(label=_("To"), widget=DateInput())


class ObjectionForm(StyledForm):
    received_at = DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    raised_by = forms.CharField(label=_("Raised by"), max_length=100, required=False)
    content = forms.CharField(label=_("Objection"), widget=forms.Textarea(attrs={"rows": 3}))


class HandlingForm(StyledForm):
    handling = forms.CharField(
        label=_("How it was handled"), widget=forms.Textarea(attrs={"rows": 2})
    )


class AuditOpenForm(StyledForm):
    period_start = DateField(label=_("From"), widget=DateInput())
    period_end = DateField(label=_("To"), widget=DateInput())
    percent = forms.IntegerField(
        label=_("Share to sample (%)"),
        min_value=1,
        max_value=100,
        initial=30,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
        help_text=_("e.g. 30 draws three payments in ten (at least one)."),
    )
    seed = forms.IntegerField(
        label=_("Random seed"),
        required=False,
        min_value=0,
        max_value=SEED_LIMIT,
        error_messages={
            "min_value": _("A seed is a whole number from 0 to 999999999999."),
            "max_value": _("A seed is a whole number from 0 to 999999999999."),
            "invalid": _("A seed is a whole number from 0 to 999999999999."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
        help_text=_("Leave empty for a new one; it is recorded so the sample can be redrawn."),
    )


class AuditCheckForm(StyledForm):
    evidence_note = forms.CharField(
        label=_("Notes on the evidence"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for key, label in AuditItem.CHECKS.items():
            self.fields[key] = forms.BooleanField(label=label, required=False)

    def checks(self) -> dict:
        return {key: self.cleaned_data.get(key, False) for key in AuditItem.CHECKS}


class AuditEvidenceForm(StyledForm):
    file = forms.FileField(
        label=_("Add a photo or PDF of the evidence"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"}),
        error_messages={"required": _("Choose a photo or PDF to add.")},
    )


class FindingForm(StyledForm):
    item = forms.ModelChoiceField(
        label=_("About the payment"),
        queryset=AuditItem.objects.none(),
        required=False,
        empty_label="—",
    )
    description = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 2}))
    severity = forms.ChoiceField(label=_("Severity"), choices=AuditFinding.Severity.choices)
    owner = forms.ModelChoiceField(
        label=_("Who rectifies it"), queryset=get_user_model().objects.none()
    )
    deadline = DateField(
        label=_("Rectify by"),
        widget=DateInput(),
        initial=lambda: timezone.localdate() + datetime.timedelta(days=30),
    )

    def __init__(self, *args, review: FundAudit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from unionhub.funds.services import rectifiers

        self.fields["item"].queryset = review.items.select_related("disbursement__worker")
        self.fields["item"].label_from_instance = lambda item: (
            f"{item.disbursement.worker.name} {format_yuan(item.disbursement.amount)}"
        )
        # Who rectifies, each named with where and what they are (the fund's own first).
        labels: dict[int, str] = {}
        for membership in rectifiers(review.fund):
            labels.setdefault(
                membership.user_id,
                _("%(name)s (%(organization)s · %(role)s)")
                % {
                    "name": membership.user.get_full_name(),
                    "organization": membership.organization.name,
                    "role": membership.get_role_display(),
                },
            )
        owner = self.fields["owner"]
        owner.queryset = get_user_model().objects.filter(pk__in=list(labels))
        owner.choices = [("", owner.empty_label), *labels.items()]


class RectifyForm(StyledForm):
    """What was done about a finding: one line in the findings table (``note_limit`` long)."""

    note_limit = TEXT_LIMIT
    note = forms.CharField(
        label=_("What was done to rectify it"),
        max_length=TEXT_LIMIT,
        error_messages={"required": _("Say what was done to rectify it.")},
    )


class ConclusionForm(StyledForm):
    conclusion = forms.CharField(
        label=_("Conclusion"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the review's conclusion.")},
    )
