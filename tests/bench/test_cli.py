"""bench/run.py's command line: which databases it accepts (bench/cli.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

from bench.cli import parse_args

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", ["postgresql", "sqlite,postgresql", "mysql", ",", ""])
def test_an_unknown_database_is_refused(value, capsys):
    with pytest.raises(SystemExit) as exited:
        parse_args(["--databases", value])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "argument --databases" in error
    assert "choose from sqlite, postgres" in error


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ["sqlite", "postgres"]),
        (["--quick"], ["sqlite"]),
        (["--quick", "--databases", "postgres"], ["postgres"]),
        (["--databases=sqlite, postgres"], ["sqlite", "postgres"]),
    ],
)
def test_the_known_databases(argv, expected):
    assert parse_args(argv).databases == expected


def test_the_script_refuses_an_unknown_database_before_measuring(tmp_path):
    output = tmp_path / "RESULTS.md"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--databases", "postgresql",
         "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "unknown database 'postgresql'" in result.stderr
    assert not output.exists()
