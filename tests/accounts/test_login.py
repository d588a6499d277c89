import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from unionhub.core.models import AuditEntry

LOGIN = "accounts:login"


def post_login(client, username, password, url=LOGIN, **extra):
    return client.post(reverse(url), {"username": username, "password": password}, **extra)


def test_the_root_leads_to_a_chinese_sign_in_page(client, db):
    response = client.get("/", follow=True, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.redirect_chain[-1][0] == reverse(LOGIN)
    assert response.headers["Content-Language"] == "zh-hans"
    assert 'lang="zh-hans"' in response.content.decode()
    with translation.override("zh-hans"):
        assert translation.gettext("Sign in") in response.content.decode()


def test_staff_sign_in_with_username_and_land_on_the_console(client, officer, password):
    response = post_login(client, "officer", password)
    assert response.status_code == 302
    assert client.get(response.url).url == reverse("core:dashboard")


def test_staff_sign_in_with_their_mobile_number_in_any_spelling(client, officer, password):
    officer.mobile = "13861800106"
    officer.save()
    response = post_login(client, "+86 138-6180-0106", password, follow=True)
    assert response.redirect_chain[-1][0] == reverse("core:dashboard")


def test_workers_sign_in_with_their_mobile_and_land_on_the_portal(client, worker, password):
    response = post_login(client, worker.mobile, password, url="portal:login", follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:home")
    assert response.status_code == 200


def test_a_pasted_page_in_the_mobile_box_is_refused_in_plain_words(client, worker, password):
    page = client.get(reverse("portal:login")).content.decode()
    assert 'maxlength="20"' in page
    response = post_login(client, "1" * 150, password, url="portal:login")
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["最多填写 20 个字符，现在有 150 个。"]
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_gets_a_clear_message_and_no_session(client, officer):
    response = post_login(client, "officer", "wrong-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    with translation.override("zh-hans"):
        message = translation.gettext(
            "The account or password is wrong. Check them and try again; "
            "after several failed tries the account is locked for a while."
        )
    assert message in response.content.decode()


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, officer, password):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "officer", "wrong-password", REMOTE_ADDR="10.0.0.1")
    response = post_login(client, "officer", password, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    with translation.override("zh-hans"):
        from unionhub.accounts.views import _lockout_message

        assert _lockout_message() in response.content.decode()


def test_one_person_mistyping_does_not_lock_out_their_workshop(
    client, officer, district_admin, password
):
    """A factory's Wi-Fi puts everyone behind one address."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "officer", "wrong-password", REMOTE_ADDR="10.9.9.9")
    assert post_login(client, "officer", password, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert post_login(client, "admin1", password, REMOTE_ADDR="10.9.9.9").status_code == 302


def test_many_failures_from_one_address_lock_that_address(
    client, officer, district_admin, password
):
    for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        post_login(client, f"nobody{i}", "wrong-password", REMOTE_ADDR="10.9.9.9")
    locked = post_login(client, "admin1", password, REMOTE_ADDR="10.9.9.9")
    assert locked.status_code == 429
    elsewhere = post_login(client, "admin1", password, REMOTE_ADDR="10.9.9.10")
    assert elsewhere.status_code == 302


def test_the_lockout_expires_after_the_cool_off(client, officer, password, time_machine=None):
    import datetime

    import time_machine as tm

    with tm.travel(
        datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC), tick=False
    ) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            post_login(client, "officer", "wrong-password")
        assert post_login(client, "officer", password).status_code == 429
        traveller.shift(settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1))
        assert post_login(client, "officer", password).status_code == 302


def test_trying_again_while_locked_neither_counts_nor_restarts_the_lock(client, worker, password):
    """A worker who checks every few minutes whether the lock has ended gets in when the message
    said they would, and is told each time how long is left."""
    import datetime

    import time_machine as tm

    with tm.travel(
        datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC), tick=False
    ) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            post_login(client, worker.mobile, "wrong-password", url="portal:login")
        failures = AccessAttempt.objects.get(username=worker.mobile).failures_since_start
        cool_off = settings.AXES_COOLOFF_TIME
        traveller.shift(cool_off - datetime.timedelta(minutes=5))
        locked = post_login(client, worker.mobile, password, url="portal:login")
        assert locked.status_code == 429
        assert "请5分钟后再试" in locked.content.decode()
        traveller.shift(datetime.timedelta(minutes=3, seconds=30))
        locked = post_login(client, worker.mobile, "wrong-password", url="portal:login")
        assert locked.status_code == 429
        assert "请2分钟后再试" in locked.content.decode()
        assert AccessAttempt.objects.get(username=worker.mobile).failures_since_start == failures
        traveller.shift(datetime.timedelta(minutes=2))
        assert post_login(client, worker.mobile, password, url="portal:login").status_code == 302


def test_a_lock_about_to_end_reads_one_minute_in_english(client, officer, password):
    import datetime

    import time_machine as tm

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with tm.travel(
        datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC), tick=False
    ) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            post_login(client, "officer", "wrong-password")
        traveller.shift(settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=20))
        response = post_login(client, "officer", password)
    assert response.status_code == 429
    assert "Sign-in is locked for 1 more minute;" in response.content.decode()


def test_a_success_clears_earlier_failures(client, officer, password):
    post_login(client, "officer", "wrong-password")
    post_login(client, "officer", password)
    assert not AccessAttempt.objects.filter(username="officer").exists()


def test_a_colleagues_sign_in_from_the_same_address_leaves_a_locked_account_locked(
    client, officer, district_admin, password
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "officer", "wrong-password", REMOTE_ADDR="10.9.9.9")
    assert post_login(client, "admin1", password, REMOTE_ADDR="10.9.9.9").status_code == 302
    client.logout()
    assert post_login(client, "officer", password, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_workmates_sign_in_on_the_phone_leaves_a_locked_worker_locked(
    client, worker, workmate, password
):
    """Worker A mistypes five times on the factory Wi-Fi; worker B signs in from it."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(
            client, worker.mobile, "wrong-password", url="portal:login", REMOTE_ADDR="10.9.9.9"
        )
    signed_in = post_login(
        client, workmate.mobile, password, url="portal:login", REMOTE_ADDR="10.9.9.9"
    )
    assert signed_in.status_code == 302
    client.logout()
    locked = post_login(client, worker.mobile, password, url="portal:login", REMOTE_ADDR="10.9.9.9")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_success_clears_only_the_accounts_own_failures(client, officer, district_admin, password):
    post_login(client, "officer", "wrong-password", REMOTE_ADDR="10.9.9.9")
    post_login(client, "admin1", "wrong-password", REMOTE_ADDR="10.9.9.9")
    post_login(client, "admin1", password, REMOTE_ADDR="10.9.9.9")
    assert not AccessAttempt.objects.filter(username="admin1").exists()
    assert AccessAttempt.objects.filter(username="officer", ip_address="10.9.9.9").exists()


def test_a_worker_signing_in_by_mobile_clears_their_own_failures(client, worker, password):
    post_login(client, worker.mobile, "wrong-password", url="portal:login")
    post_login(client, worker.mobile, password, url="portal:login")
    assert not AccessAttempt.objects.exists()


def test_a_success_from_a_busy_address_does_not_unlock_it(
    client, officer, district_admin, password
):
    """Guessing many accounts from one place, then signing in to one's own account there, does
    not start the address's count again: it stays locked."""
    for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        post_login(client, f"nobody{i}", "wrong-password", REMOTE_ADDR="10.9.9.9")
    assert post_login(client, "admin1", password, REMOTE_ADDR="10.9.9.9").status_code == 302
    client.logout()
    post_login(client, "nobody-else", "wrong-password", REMOTE_ADDR="10.9.9.9")
    assert post_login(client, "officer", password, REMOTE_ADDR="10.9.9.9").status_code == 429


def test_the_api_token_endpoint_is_locked_out_too(client, officer, password):
    url = reverse("api:auth-token")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "officer", "password": "wrong"})
    response = client.post(url, {"username": "officer", "password": password})
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"


def test_sign_out_ends_the_session(client, officer, login):
    client = login(officer)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_changing_the_password_keeps_the_session_and_is_audited(client, officer, password, login):
    client = login(officer)
    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": password,
            "new_password1": "Qianqiao#2026",
            "new_password2": "Qianqiao#2026",
        },
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password("Qianqiao#2026")
    assert client.get(reverse("core:dashboard")).status_code == 200
    entry = AuditEntry.objects.get(action="accounts.user.password_changed")
    assert entry.actor == officer
    assert "Qianqiao" not in str(entry.data)


def test_a_weak_new_password_is_refused_with_a_message(client, officer, password, login):
    client = login(officer)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": password, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    # Said under the new password, where it was typed; the confirmation matched.
    assert errors["new_password1"] and "new_password2" not in errors
    # Every reason in Chinese, the length one included.
    assert "密码太短，至少需要 8 个字符。" in errors["new_password1"]
    assert not any("password" in message for message in errors["new_password1"])
    mismatch = client.post(
        reverse("accounts:password-change"),
        {"old_password": password, "new_password1": "Huishan#20261", "new_password2": "other-1"},
    )
    assert list(mismatch.context["form"].errors) == ["new_password2"]
    officer.refresh_from_db()
    assert officer.check_password(password)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_language_switch_sets_the_cookie_and_remembers_it(client, officer, login, language):
    client = login(officer)
    response = client.post(
        reverse("accounts:set-language"), {"language": language, "next": "/workers/"}
    )
    assert response.status_code == 302
    assert response.url == "/workers/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    officer.refresh_from_db()
    assert officer.language == language
    page = client.get(reverse("core:dashboard"))
    assert page.headers["Content-Language"] == language


def test_english_pages_speak_english(client, officer, login):
    client = login(officer)
    client.post(reverse("accounts:set-language"), {"language": "en", "next": "/"})
    assert "Dashboard" in client.get(reverse("core:dashboard")).content.decode()


def test_the_language_switch_refuses_a_foreign_redirect(client, db):
    response = client.post(
        reverse("accounts:set-language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response.url == "/"


def test_sign_in_restores_the_users_language(client, officer, password):
    officer.language = "en"
    officer.save()
    response = post_login(client, "officer", password)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_changing_the_password_revokes_api_tokens(client, officer, password, login):
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=officer)
    login(officer).post(
        reverse("accounts:password-change"),
        {
            "old_password": password,
            "new_password1": "Yanqiao#2026",
            "new_password2": "Yanqiao#2026",
        },
    )
    assert not Token.objects.filter(user=officer).exists()


def test_a_language_picked_on_the_sign_in_page_is_kept_at_sign_in(client, worker, password):
    assert worker.user.language == "zh-hans"
    client.post(reverse("accounts:set-language"), {"language": "en", "next": "/portal/login/"})
    response = post_login(client, worker.mobile, password, url="portal:login")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    worker.user.refresh_from_db()
    assert worker.user.language == "en"
    assert '<html lang="en">' in client.get(reverse("portal:home")).content.decode()
    # Next time, without picking, the account's language is spoken.
    client.logout()
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    again = post_login(client, worker.mobile, password, url="portal:login")
    assert again.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_a_worker_is_told_their_mobile_number_or_password_is_wrong(client, worker):
    response = post_login(client, worker.mobile, "wrong-password", url="portal:login")
    page = response.content.decode()
    assert "手机号或密码错误" in page and "账号或密码错误" not in page


def test_a_locked_worker_reads_in_plain_words_when_to_try_again(client, worker, password):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, worker.mobile, "wrong-password", url="portal:login")
    response = post_login(client, worker.mobile, password, url="portal:login")
    assert response.status_code == 429
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert (
        f"密码输错次数太多，请{minutes}分钟后再试；忘记密码请联系工会。"
        in response.content.decode()
    )
    assert "该账号或当前网络" not in response.content.decode()


def test_a_worker_locked_out_by_others_on_the_wifi_is_not_told_they_mistyped(
    client, worker, password
):
    for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        post_login(client, f"1380000{i:04d}", "wrong-password", url="portal:login")
    response = post_login(client, worker.mobile, password, url="portal:login")
    assert response.status_code == 429
    page = response.content.decode()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert (
        f"当前网络（例如共用的无线网）登录失败次数太多，请{minutes}分钟后再试，或改用手机流量。"
        in page
    )
    assert "密码输错次数太多" not in page
    # Their own mistakes still read as their own.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(
            client, worker.mobile, "wrong-password", url="portal:login", REMOTE_ADDR="10.1.1.1"
        )
    page = post_login(client, worker.mobile, password, url="portal:login", REMOTE_ADDR="10.1.1.1")
    assert "密码输错次数太多" in page.content.decode()
