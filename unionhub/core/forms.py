"""Form plumbing shared by every app: field styling, and the audit log filter."""

from __future__ import annotations

import datetime

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from unionhub.core.validators import TEXT_LIMIT, validate_plausible_date

BLANK_LABEL = BLANK_CHOICE_DASH[0][1]

# The last field of every form that carries files (the ``{% upload_end %}`` tag draws it after
# the form's button). Browsers send fields in the page's order, so a body cut off on the way (a
# phone losing its signal mid-upload) lacks it, while Django's parser takes what did arrive as
# the whole form: some of the photos, or half a description.
UPLOAD_END = "upload_end"


TOO_LONG = ngettext_lazy(
    "Keep it to %(limit_value)d character; this has %(show_value)d.",
    "Keep it to %(limit_value)d characters; this has %(show_value)d.",
    "limit_value",
)


class StyledFormMixin:
    """Adds the CSS classes our templates style (Bootstrap names, also styled by the portal)."""

    required_css_class = "required"
    error_css_class = "has-error"

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if (
                isinstance(field, forms.CharField)
                and isinstance(widget, forms.Textarea)
                and field.max_length is None
            ):
                # Free text has a bound: a pasted page must not fill the timeline.
                field.max_length = TEXT_LIMIT
                field.validators.append(MaxLengthValidator(TEXT_LIMIT))
                widget.attrs.setdefault("maxlength", str(TEXT_LIMIT))
            if getattr(field, "max_length", None) and "max_length" not in field.error_messages:
                # Django's Chinese says "确保该变量包含…" ("this variable"): say it plainly.
                field.error_messages["max_length"] = TOO_LONG
            # Django's blank choice "---------" reads as a glitch; say what to do instead.
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label == BLANK_LABEL:
                    field.empty_label = _("Choose…")
            elif isinstance(field, forms.ChoiceField) and any(
                value == "" and label == BLANK_LABEL for value, label in field.choices
            ):
                field.choices = [
                    (value, _("Choose…") if value == "" and label == BLANK_LABEL else label)
                    for value, label in field.choices
                ]
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"  # RadioSelect covers CheckboxSelectMultiple too
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class StyledForm(StyledFormMixin, forms.Form):
    pass


class StyledModelForm(StyledFormMixin, forms.ModelForm):
    pass


class DateField(forms.DateField):
    """A date field that refuses dates no one means (year 1 or 9999), which would otherwise fail
    deep in a query. Every form's dates use it."""

    default_validators = [validate_plausible_date]


class DateTimeField(forms.DateTimeField):
    """A date and time on a plausible date (see :class:`DateField`)."""

    default_validators = [validate_plausible_date]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class AuditFilterForm(StyledForm):
    KIND_CHOICES = [
        ("", _("All actions")),
        ("workers.worker.id_revealed", _("Full ID number viewed")),
        ("workers.", _("Worker records")),
        ("cases.", _("Requests")),
        ("funds.", _("Aid funds")),
        ("enterprises.", _("Enterprises")),
        ("orgs.", _("Organisations and roles")),
        ("accounts.", _("Accounts")),
    ]
    kind = forms.ChoiceField(label=_("Action"), choices=KIND_CHOICES, required=False)
    since = DateField(label=_("From"), required=False, widget=DateInput())
    until = DateField(label=_("To"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filter(self, entries):
        data = self.cleaned_data
        kind = data.get("kind")
        if kind:
            entries = (
                entries.filter(action__startswith=kind)
                if kind.endswith(".")
                else entries.filter(action=kind)
            )
        tz = timezone.get_current_timezone()
        if data.get("since"):
            start = datetime.datetime.combine(data["since"], datetime.time.min, tzinfo=tz)
            entries = entries.filter(created_at__gte=start)
        if data.get("until"):
            end = datetime.datetime.combine(
                data["until"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            )
            entries = entries.filter(created_at__lt=end)
        return entries


class CalendarDayForm(StyledForm):
    """Record a holiday (a range of days) or a make-up working day."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("holiday", _("Public holiday")),
            ("workday", _("Make-up working day")),
        ],
    )
    name = forms.CharField(label=_("Occasion"), max_length=30, help_text=_("e.g. 春节, 国庆节"))
    first = DateField(label=_("From"), widget=DateInput())
    last = DateField(
        label=_("To"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty for a single day."),
    )
