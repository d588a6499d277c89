from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhub.core.access import Cap
from unionhub.core.forms import StyledForm
from unionhub.core.pinyin import is_pinyin_query
from unionhub.enterprises.models import Enterprise
from unionhub.orgs.models import Organization


class EnterpriseFilterForm(StyledForm):
    q = forms.CharField(label=_("Name or credit code"), required=False, max_length=50)
    size_class = forms.ChoiceField(
        label=_("Size class"),
        required=False,
        choices=[("", _("All sizes")), *Enterprise.SizeClass.choices],
    )
    industry = forms.ChoiceField(
        label=_("Industry"),
        required=False,
        choices=[("", _("All industries")), *Enterprise.Industry.choices],
    )
    has_union = forms.ChoiceField(
        label=_("Union"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Has a union")), ("no", _("No union yet"))],
    )

    def filter(self, queryset):
        data = self.cleaned_data
        term = (data.get("q") or "").strip()
        if term:
            if len(term) == 18 and term.isalnum():
                queryset = queryset.filter(credit_code=term.upper())
            elif is_pinyin_query(term):
                queryset = queryset.filter(
                    Q(name_pinyin__contains=term.lower()) | Q(name__icontains=term)
                )
            else:
                queryset = queryset.filter(name__icontains=term)
        if data.get("size_class"):
            queryset = queryset.filter(size_class=data["size_class"])
        if data.get("industry"):
            queryset = queryset.filter(industry=data["industry"])
        if data.get("has_union") == "yes":
            queryset = queryset.filter(union__isnull=False)
        elif data.get("has_union") == "no":
            queryset = queryset.filter(union__isnull=True)
        return queryset


class EnterpriseForm(StyledForm):
    name = forms.CharField(label=pgettext_lazy("organisation", "Name"), max_length=100)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    size_class = forms.ChoiceField(label=_("Size class"), choices=Enterprise.SizeClass.choices)
    industry = forms.ChoiceField(label=_("Industry"), choices=Enterprise.Industry.choices)
    employees = forms.IntegerField(label=_("Employees"), min_value=0, max_value=1_000_000)
    street = forms.ModelChoiceField(
        label=_("Street, town or park"), queryset=Organization.objects.none()
    )
    station = forms.ModelChoiceField(
        label=_("Guidance station"), queryset=Organization.objects.none(), required=False
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    union_name = forms.CharField(
        label=_("Set up its union"),
        max_length=100,
        required=False,
        help_text=_("Optional: the union's name, e.g. 无锡伟达五金有限公司工会."),
    )

    def __init__(self, *args, user, enterprise: Enterprise | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A street outside the user's scope may still be chosen as the parent of their station,
        # so streets are limited to those holding an organisation the user may manage.
        manageable = Organization.objects.visible_to(user, Cap.MANAGE_ENTERPRISES)
        self.fields["station"].queryset = manageable.filter(kind=Organization.Kind.STATION)
        street_paths = {
            path[: 2 * Organization.steplen]
            for path in manageable.values_list("path", flat=True)
            if len(path) >= 2 * Organization.steplen
        }
        self.fields["street"].queryset = Organization.objects.filter(
            kind=Organization.Kind.STREET, path__in=street_paths
        )
        if enterprise is not None:
            del self.fields["union_name"]

    def service_values(self) -> dict:
        return dict(self.cleaned_data)
