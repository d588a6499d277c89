from django.core.management import call_command
from django.urls import reverse


def test_the_openapi_schema_builds_without_warnings(db, tmp_path):
    # --fail-on-warn turns every drf-spectacular warning (an undocumented field…) into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert "/api/v1/workers/" in (tmp_path / "s.yml").read_text()


def test_the_docs_and_schema_need_a_sign_in(client, db):
    assert client.get(reverse("api-docs")).status_code in {401, 403}
    assert client.get(reverse("schema")).status_code in {401, 403}


def test_the_docs_page_serves_its_assets_from_the_app(client, officer, login):
    html = login(officer).get(reverse("api-docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "https://" not in html
