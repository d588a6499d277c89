"""No Docker engine runs in CI: check that the deployment files parse and say what README says."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_names_the_database_the_web_app_and_the_worker():
    services = compose()["services"]
    assert set(services) == {"db", "web", "worker", "scheduler"}
    assert services["db"]["image"].startswith("postgres:")
    web = services["web"]["command"]
    assert "manage.py migrate" in web and "gunicorn unionhub.wsgi" in web
    assert web.index("migrate") < web.index("gunicorn")
    assert services["worker"]["command"] == "python manage.py db_worker"
    assert services["scheduler"]["command"] == "python manage.py run_scheduler"
    assert set(compose()["volumes"]) == {"pgdata", "media"}
    assert "media:/data/media" in services["web"]["volumes"]


def test_the_app_services_get_the_production_settings():
    environment = compose()["services"]["web"]["environment"]
    assert environment["DEBUG"] == "0"
    for required in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "ALLOWED_HOSTS"):
        assert ":?" in environment[required], required  # compose refuses to start without it
    assert environment["DATABASE_URL"].startswith("postgres://")


def test_every_variable_compose_passes_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    environment = compose()["services"]["web"]["environment"]
    undocumented = [name for name in environment if f"`{name}`" not in readme]
    assert undocumented == []
    text = (ROOT / "docker-compose.yml").read_text()
    for name in set(re.findall(r"\$\{(\w+)", text)):
        assert f"{name}=" in readme or f"`{name}`" in readme, name


def test_every_setting_read_from_the_environment_is_documented():
    settings = (ROOT / "unionhub" / "settings.py").read_text()
    names = set(re.findall(r'env\.\w+\(\s*"(\w+)"', settings))
    readme = (ROOT / "README.md").read_text()
    assert names
    assert [name for name in sorted(names) if f"`{name}`" not in readme] == []


def test_the_dockerfile_installs_the_pinned_requirements_and_runs_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1[1-9]", dockerfile, re.M)
    assert "--require-hashes -r requirements/base.txt" in dockerfile
    assert (ROOT / "requirements" / "base.txt").exists()
    assert "collectstatic" in dockerfile and "compiletranslations" in dockerfile
    assert re.search(r'^CMD \["gunicorn", "unionhub.wsgi"\]', dockerfile, re.M)
    config = (ROOT / "gunicorn.conf.py").read_text()
    assert "%(U)s" in config and "%(r)s" not in config and "%(q)s" not in config
    assert re.search(r"^USER ", dockerfile, re.M)
