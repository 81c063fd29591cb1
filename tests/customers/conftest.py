import csv

import pytest

from connections_admin.customers.signals import system_refreshed


@pytest.fixture
def write_csv(tmp_path):
    """write_csv(header, rows) -> path of a UTF-8 CSV file."""

    def write(header, rows, name="customers.csv"):
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return write


@pytest.fixture
def refreshes():
    """The system_refreshed signals sent during the test (their keyword arguments)."""
    sent = []

    def receiver(sender, **kwargs):
        sent.append({"sender": sender, **kwargs})

    system_refreshed.connect(receiver, weak=False, dispatch_uid="tests.customers.refreshes")
    yield sent
    system_refreshed.disconnect(dispatch_uid="tests.customers.refreshes")
