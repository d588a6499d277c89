"""Production settings: refuse to start without secrets; pass `check --deploy` when given them."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-for-the-deploy-check-0123456789-abcdefghijklmnopqrstuvwxyz-XYZ",
    "FIELD_ENCRYPTION_KEY": "cHJvZHVjdGlvbi1rZXktZm9yLXRoZS1jaGVjay0xMjM=",
    "ALLOWED_HOSTS": "unionhub.example.cn",
    "DATABASE_URL": "sqlite:////tmp/unionhub-deploy-check.sqlite3",
}


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    inherited = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "unionhub.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_an_encryption_key():
    env = {**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEY": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY must be set" in result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_passwords_are_hashed_with_argon2():
    from unionhub import settings

    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
