"""Settings of the Verify benchmark (bench/verify.py) and of the db_worker processes it starts.

The test settings, plus what lets a check reach the benchmark's loopback servers only:
the benchmark starts sshd, Azurite and the HTTP stand-in first, then passes the servers'
addresses, the file of their CAs and the secrets key in the ``BENCH_VERIFY_*`` environment
variables to its own Django and to every worker. The key must be the same in all of them
(the test settings make a new one per process, and a worker could not decrypt the
connections the benchmark created).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from connections_admin.settings.test import *  # noqa: F403

try:
    CONNECTIONS_SECRET_KEYS = [os.environ["BENCH_VERIFY_SECRET_KEY"]]
except KeyError:
    raise ImproperlyConfigured(
        "bench.verify_settings is the settings of bench/verify.py, which sets BENCH_VERIFY_*"
    ) from None

# The SFTP connections name sftp.test and the HTTP checks the stand-in's standin.test;
# both are this machine, the only network a check may reach here.
CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
CONNECTIONS_OUTBOUND_TEST_HOSTS = {"sftp.test": ["127.0.0.1"], "standin.test": ["127.0.0.1"]}
CONNECTIONS_OUTBOUND_EXTRA_CA_FILE = os.environ.get("BENCH_VERIFY_CA_FILE", "")
CONNECTIONS_AZURE_BLOB_ENDPOINT = os.environ.get("BENCH_VERIFY_AZURE_ENDPOINT", "")
CONNECTIONS_SERVICE_BASE_URLS = (
    {"sendgrid": os.environ["BENCH_VERIFY_STANDIN_URL"]}
    if os.environ.get("BENCH_VERIFY_STANDIN_URL")
    else {}
)
# Nothing leaves the machine, not even an e-mail to the admins about a failing connection.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
