"""Django's own words on the password pages, in our catalogue so they say 您.

Django's Chinese catalogue speaks to the user as 你 ("你的旧密码不正确。请重新输入。"), while every
page of ours says 您. ``LOCALE_PATHS`` comes before Django's own catalogues, so a msgid translated
in ``locale/`` wins; but ``makemessages --no-obsolete`` (``make makemessages``) drops every entry
it does not find in our sources. Listing the msgids here, exactly as Django writes them (with its
typographic apostrophe), keeps them. Nothing imports this module: it is read by ``makemessages``.
When Django rewords one of them, its message falls back to Django's translation; the test in
``tests/accounts/test_password_words.py`` then fails.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext_lazy

# django.contrib.auth.forms.PasswordChangeForm
OLD_PASSWORD_WRONG = gettext_noop(
    "Your old password was entered incorrectly. Please enter it again."
)

# django.contrib.auth.password_validation: the help text under "New password".
SIMILAR_HELP = gettext_noop(
    "Your password can’t be too similar to your other personal information."
)
MINIMUM_LENGTH_HELP = ngettext_lazy(
    "Your password must contain at least %(min_length)d character.",
    "Your password must contain at least %(min_length)d characters.",
    "min_length",
)
COMMON_HELP = gettext_noop("Your password can’t be a commonly used password.")
NUMERIC_HELP = gettext_noop("Your password can’t be entirely numeric.")

MSGIDS = (OLD_PASSWORD_WRONG, SIMILAR_HELP, COMMON_HELP, NUMERIC_HELP)
