"""Real servers for the tests, started and stopped by the test setup itself, on loopback only.

- ``tls.py``: a throwaway CA and a server certificate for any loopback HTTPS server.
- ``sshd.py``: Debian's OpenSSH sshd with an SFTP subsystem and two users.
- ``azurite.py``: Azurite (the Azure Storage emulator), blob service, over HTTPS.
- ``fixtures.py``: the session-scoped pytest fixtures; ``tests/conftest.py`` exposes them.

The modules other than ``fixtures.py`` do not import pytest: the benchmark (bench/) starts
the same servers with them.
"""
