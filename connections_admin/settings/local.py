"""Local development: works on a fresh checkout with no configuration.

Anything not given in the environment is filled in from ``var/dev-secrets.json``,
which is generated on first use and git-ignored. Never use these settings in
production: ``connections_admin.settings.production`` refuses to start without
real keys.
"""

import json
import os
import secrets

from cryptography.fernet import Fernet

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool, env_list


def _dev_secrets() -> dict[str, str]:
    path = VAR_DIR / "dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CONNECTIONS_SECRET_KEYS": Fernet.generate_key().decode(),
    }
    path.write_text(json.dumps(values, indent=2))
    path.chmod(0o600)
    return values


_generated = _dev_secrets()

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or _generated["SECRET_KEY"]  # noqa: F405
CONNECTIONS_SECRET_KEYS = CONNECTIONS_SECRET_KEYS or [  # noqa: F405
    key.strip() for key in _generated["CONNECTIONS_SECRET_KEYS"].split(",") if key.strip()
]
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]  # noqa: F405
# The demo reaches services on this machine (a local SFTP server, say); the
# environment variable, when set, replaces this default.
CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = (
    env_list("CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS")
    if "CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS" in os.environ
    else ["127.0.0.0/8"]
)

# Mails (a connection failing, recovering) are printed by the runserver / worker process.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
