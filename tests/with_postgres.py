#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL server.

    python tests/with_postgres.py pytest -q

Creates a cluster in a temporary folder (initdb), starts it listening only on a
Unix socket in that folder, runs the command with DATABASE_URL pointing at it,
then stops the server and deletes the folder. Installs PostgreSQL with apt-get
when no server binaries are found and we are root. When run as root the server
runs as the ``postgres`` user (PostgreSQL refuses to run as root).
"""

import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from urllib.parse import quote


def find_bindir() -> str:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    for bindir in reversed(candidates):
        if os.path.exists(os.path.join(bindir, "initdb")):
            return bindir
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(initdb)
    return ""


def ensure_installed() -> str:
    bindir = find_bindir()
    if bindir:
        return bindir
    if os.geteuid() != 0:
        sys.exit("PostgreSQL server binaries not found: install the 'postgresql' package.")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env)
    bindir = find_bindir()
    if not bindir:
        sys.exit("PostgreSQL was installed but initdb was not found.")
    return bindir


def _exit_on_signal(signum, frame) -> None:
    # SystemExit unwinds through main(): the command is killed and the server stopped
    # and deleted, also when CI or a person interrupts the run.
    sys.exit(128 + signum)


def main(command: list[str]) -> int:
    if not command:
        sys.exit(__doc__)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    bindir = ensure_installed()
    root = tempfile.mkdtemp(prefix="pg-throwaway-")
    data, sockets = os.path.join(root, "data"), os.path.join(root, "run")
    os.makedirs(sockets)
    as_user: list[str] = []
    superuser = pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        for path in (root, sockets):
            os.chown(path, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
        superuser = "postgres"
    log = os.path.join(root, "server.log")

    def pg(*args: str) -> None:
        subprocess.run(
            [*as_user, os.path.join(bindir, args[0]), *args[1:]],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    try:
        pg("initdb", "-D", data, "-A", "trust", "-U", superuser, "-E", "UTF8", "--no-sync")
        pg(
            "pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "start",
            "-o", f"-k {sockets} -c listen_addresses='' -F -c max_connections=60",
        )  # fmt: skip
        url = f"postgres://{superuser}@{quote(sockets, safe='')}/postgres"
        print(f"Throwaway PostgreSQL running ({bindir}), socket in {sockets}", flush=True)
        return subprocess.run(command, env={**os.environ, "DATABASE_URL": url}).returncode
    finally:
        subprocess.run(
            [*as_user, os.path.join(bindir, "pg_ctl"), "-D", data, "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
