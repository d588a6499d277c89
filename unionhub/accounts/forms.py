from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from unionhub.core.forms import StyledFormMixin
from unionhub.core.validators import is_mobile, normalize_mobile


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    """Why a new password is too weak is said under the new password, where it was typed; that
    the two differ, under the confirmation."""

    def validate_password_for_user(self, user, password_field_name="new_password1"):
        super().validate_password_for_user(user, "new_password1")


class LoginForm(StyledFormMixin, AuthenticationForm):
    """Username or mobile number, and password. A mobile number is normalised (``+86 138 1234
    5678`` → ``13812345678``) before authentication so lockout counts one account once."""

    username = forms.CharField(
        label=_("Username or mobile number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        "invalid_login": _(
            "The account or password is wrong. Check them and try again; "
            "after several failed tries the account is locked for a while."
        ),
        "inactive": _("This account is disabled. Ask your union office to enable it."),
    }

    def clean_username(self) -> str:
        value = self.cleaned_data["username"].strip()
        mobile = normalize_mobile(value)
        return mobile if is_mobile(mobile) else value


class WorkerLoginForm(LoginForm):
    """A worker signs in with their mobile number: a refusal names it, not an "account"."""

    error_messages = {
        **LoginForm.error_messages,
        "invalid_login": _(
            "The mobile number or password is wrong. Check them and try again; after several "
            "wrong tries, signing in is stopped for a while."
        ),
    }
    username = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "tel",
                "inputmode": "tel",
            }
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Django's login form sizes the box for a username (150); a mobile number needs 20 at most.
        field = self.fields["username"]
        field.max_length = 20
        field.widget.attrs["maxlength"] = "20"


class LanguageForm(forms.Form):  # posted by the language switch buttons, never rendered
    language = forms.ChoiceField(label=_("Language"), choices=())
    next = forms.CharField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
