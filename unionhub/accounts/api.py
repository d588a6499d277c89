"""API sign-in: exchange a username (or mobile number) and password for a token."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken

from unionhub.core.validators import is_mobile, normalize_mobile


class TokenSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Username or mobile number"), write_only=True)
    password = serializers.CharField(
        label=_("Password"),
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )
    token = serializers.CharField(read_only=True)

    def validate(self, attrs):
        username = attrs["username"].strip()
        mobile = normalize_mobile(username)
        username = mobile if is_mobile(mobile) else username
        # The plain HttpRequest, so that django-axes records failures and lockouts on the request
        # its middleware answers for (DRF's Request wrapper would hide them).
        request = self.context["request"]._request
        user = authenticate(request=request, username=username, password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(
                _("The account or password is wrong."), code="authorization"
            )
        attrs["user"] = user
        return attrs


class ObtainTokenView(ObtainAuthToken):
    serializer_class = TokenSerializer
