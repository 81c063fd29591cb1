import pytest
from axes.models import AccessAttempt
from django.test import Client

from connections_admin.accounts.roles import Role

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def attempt(client, username, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(admin_user):
    client = Client()
    for _ in range(4):
        assert attempt(client, "alice-admin", "wrong").status_code == 200
    fifth = attempt(client, "alice-admin", "wrong")
    assert fifth.status_code == 429
    locked = attempt(client, "alice-admin", "pw-for-tests-1")  # even the right one
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # from another address too: the account is locked
    other = attempt(Client(), "alice-admin", "pw-for-tests-1", address="198.51.100.9")
    assert other.status_code == 429


def test_an_address_trying_many_usernames_is_locked(admin_user):
    client = Client()
    for n in range(5):
        attempt(client, f"guess{n}", "wrong", address="192.0.2.50")
    response = attempt(client, "alice-admin", "pw-for-tests-1", address="192.0.2.50")
    assert response.status_code == 429


def test_a_successful_sign_in_resets_the_count(admin_user):
    client = Client()
    for _ in range(4):
        attempt(client, "alice-admin", "wrong")
    assert attempt(client, "alice-admin", "pw-for-tests-1").status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, "alice-admin", "wrong")
    assert attempt(client, "alice-admin", "pw-for-tests-1").status_code == 302


def test_another_account_signing_in_from_the_same_address_does_not_clear_the_victims_count(
    admin_user, make_user
):
    """Issue 13, item 19: an attacker with an account of their own signs in between guesses
    from the same address; only the attacker's own failures are cleared, and the fifth
    wrong password for the victim still locks the victim."""
    make_user(Role.VIEWER, "mallory")
    attacker = Client()
    address = "203.0.113.66"
    for _ in range(4):
        assert attempt(attacker, "alice-admin", "wrong", address=address).status_code == 200
    assert attempt(attacker, "mallory", "pw-for-tests-1", address=address).status_code == 302
    attacker.logout()
    assert attempt(attacker, "alice-admin", "wrong", address=address).status_code == 429
    # the victim is locked from anywhere, even with the right password
    assert (
        attempt(Client(), "alice-admin", "pw-for-tests-1", address="198.51.100.1").status_code
        == 429
    )


def test_a_success_clears_that_users_failures_from_that_address_only(admin_user, make_user):
    make_user(Role.VIEWER, "mallory")
    client = Client()
    attempt(client, "mallory", "wrong", address="192.0.2.10")
    attempt(client, "alice-admin", "wrong", address="192.0.2.10")
    for _ in range(3):
        attempt(client, "alice-admin", "wrong", address="192.0.2.20")
    assert attempt(client, "alice-admin", "pw-for-tests-1", address="192.0.2.20").status_code == 302
    left = sorted(AccessAttempt.objects.values_list("username", "ip_address"))
    assert left == [("alice-admin", "192.0.2.10"), ("mallory", "192.0.2.10")]
