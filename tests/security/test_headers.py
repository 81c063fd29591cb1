"""Strict CSP, htmx locked down, safe cookies, no caching of signed-in pages, deploy checks."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_content_security_policy_is_strict(admin_client):
    policy = admin_client.get("/admin/connections/")["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_pages_have_no_inline_script_or_style(admin_client):
    ConnectionFactory()
    for url in ("/admin/connections/", "/admin/connections/discover/", "/exports/"):
        html = admin_client.get(url).content.decode()
        assert "<style" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert "hx-on" not in html


def test_htmx_is_configured_without_eval_and_for_our_origin_only(admin_client):
    html = admin_client.get("/admin/connections/").content.decode()
    config = json.loads(re.search(r"name=\"htmx-config\" content='([^']+)'", html).group(1))
    assert config["allowEval"] is False
    assert config["selfRequestsOnly"] is True
    assert config["includeIndicatorStyles"] is False
    assert config["historyCacheSize"] == 0
    assert config["allowScriptTags"] is False


def test_session_and_csrf_cookies(client, admin_user):
    response = client.post(
        "/accounts/login/", {"username": "alice-admin", "password": "pw-for-tests-1"}
    )
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    csrf = client.get("/accounts/login/").cookies.get("csrftoken")
    assert csrf is None or csrf["samesite"] == "Lax"


@pytest.mark.parametrize(
    "url", ["/admin/connections/", "/exports/", "/admin/activity/", "/enrichments/"]
)
def test_signed_in_pages_are_never_cached(admin_client, url):
    assert admin_client.get(url)["Cache-Control"] == "no-store, private"


def test_edit_pane_with_settings_is_never_cached(admin_client):
    connection = ConnectionFactory()
    response = admin_client.get(
        f"/admin/connections/{connection.pk}/edit/", headers={"HX-Request": "true"}
    )
    assert "no-store" in response["Cache-Control"]


def test_framing_and_sniffing_are_refused(admin_client):
    response = admin_client.get("/admin/connections/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_check_deploy_with_production_settings_reports_nothing(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "connections_admin.settings.production",
        "SECRET_KEY": "p" * 20 + "Q9-x" * 10 + "r" * 20,
        "CONNECTIONS_SECRET_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "console.example.com",
        "CONNECTIONS_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
