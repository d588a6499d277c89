from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from unionhub.core.validators import is_mobile, normalize_mobile


class UsernameOrMobileBackend(ModelBackend):
    """Authenticates by mobile number when the identifier is one, otherwise by username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        mobile = normalize_mobile(username)
        lookup = {"mobile": mobile} if is_mobile(mobile) else {"username": username.strip()}
        try:
            user = User._default_manager.get(**lookup)
        except User.DoesNotExist:
            # Hash anyway so that a missing account takes as long as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
