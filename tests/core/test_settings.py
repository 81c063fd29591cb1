"""Production settings refuse to start without real keys; local settings need none."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def load(module: str, env: dict, tmp_path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    clean.update({"DJANGO_SETTINGS_MODULE": module, "CONNECTIONS_VAR_DIR": str(tmp_path)})
    clean.pop("CONNECTIONS_SECRET_KEYS", None)
    clean.pop("ALLOWED_HOSTS", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )


GOOD = {
    "SECRET_KEY": "k" * 60,
    "CONNECTIONS_SECRET_KEYS": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "console.example.com",
}


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY must be set"),
        ("CONNECTIONS_SECRET_KEYS", "CONNECTIONS_SECRET_KEYS must be set"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set"),
    ],
)
def test_production_refuses_to_start_without_real_keys(tmp_path, missing, message):
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = load("connections_admin.settings.production", env, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_real_keys(tmp_path):
    result = load("connections_admin.settings.production", GOOD, tmp_path)
    assert result.stdout.strip() == "started", result.stderr


def test_local_settings_generate_development_keys_once(tmp_path):
    assert load("connections_admin.settings.local", {}, tmp_path).returncode == 0
    secrets_file = tmp_path / "dev-secrets.json"
    first = secrets_file.read_text()
    assert load("connections_admin.settings.local", {}, tmp_path).returncode == 0
    assert secrets_file.read_text() == first
    assert oct(secrets_file.stat().st_mode & 0o777) == "0o600"


def test_local_secrets_file_is_git_ignored():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "/var/" in ignored
