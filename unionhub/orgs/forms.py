from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhub.core.forms import DateField, DateInput, StyledForm
from unionhub.orgs.models import Organization


class _TreeChoiceIterator(ModelChoiceIterator):
    """Organisations in tree order, each indented under its parent (relative to the top one)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = list(self.queryset.order_by("path"))
        top = min((row.depth for row in rows), default=0)
        for row in rows:
            value, label = self.choice(row)
            yield value, "\u3000" * (row.depth - top) + label


class OrganizationChoiceField(forms.ModelChoiceField):
    """A drop-down of organisations that shows the tree: a station under its street, an
    enterprise union under its station. The queryset must load ``depth`` and ``path``."""

    iterator = _TreeChoiceIterator


class OrganizationForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Organization.Kind.choices)
    name = forms.CharField(label=pgettext_lazy("organisation", "Name"), max_length=100)
    code = forms.CharField(label=_("Short code"), max_length=10, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Service phone"), max_length=30, required=False)
    opened_on = DateField(label=_("Opened on"), required=False, widget=DateInput())
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, parent: Organization | None = None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]
        else:
            del self.fields["is_active"]
            if parent is not None:
                allowed = [
                    (kind, label)
                    for kind, label in Organization.Kind.choices
                    if parent.kind in Organization.ALLOWED_PARENT_KINDS[Organization.Kind(kind)]
                ]
                self.fields["kind"].choices = allowed


class OrganizationFilterForm(StyledForm):
    q = forms.CharField(label=pgettext_lazy("organisation", "Name"), required=False, max_length=50)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Organization.Kind.choices],
    )

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.filter(name__icontains=data["q"].strip())
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        return queryset
