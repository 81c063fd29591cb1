"""Contract tests: each HTTP API type's Verify against a loopback HTTPS stand-in.

The stand-in (``standin.py``) is told the request each vendor's public documentation
describes (method, path, auth header or query, token request) and answers as the vendor
documents. These tests do not reach the vendors: they prove that the check sends the
documented request and reads the documented answers, not that the vendor still behaves
as documented.

Every registered type whose check is an ``HttpCheck`` is covered: a new one fails
``test_every_http_type_has_a_contract`` until its documented request is written below.
"""

import base64
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from django.test import override_settings

from connections_admin.connection_types.checks import CheckContext
from connections_admin.connection_types.http_checks import HttpCheck, retry_after_seconds
from connections_admin.connection_types.registry import registry
from connections_admin.outbound.failures import CheckFailed, Failure
from connections_admin.outbound.net import Deadline
from tests.connection_types.standin import HOST, Answer, Expect, StandIn
from tests.connection_types.test_builtin_types import GOOD

MICROSOFT_APP = {
    "tenant_id": "11111111-2222-3333-4444-555555555555",
    "client_id": "console-app-id",
    "client_secret": "console-app-Secret-9",
}
TOKEN = "tok-3f9a-access"

HTTP_TYPES = sorted(t.key for t in registry if isinstance(t.check, HttpCheck))


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def bearer(value):
    return {"Authorization": f"Bearer {value}"}


def ms_token(scope):
    return Expect(
        "POST",
        f"/{MICROSOFT_APP['tenant_id']}/oauth2/v2.0/token",
        form={
            "grant_type": "client_credentials",
            "client_id": MICROSOFT_APP["client_id"],
            "client_secret": MICROSOFT_APP["client_secret"],
            "scope": scope,
        },
        answer=Answer(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": TOKEN}),
    )


def dynamics(key):
    server = GOOD[key]["server_address"]
    return [
        ms_token(f"{server}/.default"),
        Expect(
            "GET",
            "/api/data/v9.2/WhoAmI",
            headers=bearer(TOKEN),
            answer=Answer(200, {"BusinessUnitId": "b", "UserId": "u", "OrganizationId": "o"}),
        ),
    ]


# The documented requests and successful answers, per type, for the GOOD values.
CONTRACTS = {
    "sendgrid": lambda v: [
        Expect(
            "GET",
            "/v3/scopes",
            headers=bearer(v["api_key"]),
            answer=Answer(200, {"scopes": ["marketing.read"]}),
        )
    ],
    "klaviyo": lambda v: [
        Expect(
            "GET",
            "/api/accounts",
            headers={"Authorization": f"Klaviyo-API-Key {v['api_key']}", "revision": "2024-10-15"},
            answer=Answer(200, {"data": [{"type": "account", "id": "AbC123"}]}),
        )
    ],
    "sendinblue": lambda v: [
        Expect(
            "GET",
            "/v3/account",
            headers={"api-key": v["api_key"]},
            answer=Answer(200, {"email": "owner@example.com", "companyName": "Contoso"}),
        )
    ],
    "omnisend": lambda v: [
        Expect(
            "GET",
            "/v5/brands/current",
            headers={"X-API-KEY": v["api_key"]},
            answer=Answer(200, {"brandID": "5f1", "website": "https://shop.example.com"}),
        )
    ],
    "iterable": lambda v: [
        Expect(
            "GET",
            "/api/lists",
            headers={"Api-Key": v["api_key"]},
            answer=Answer(200, {"lists": []}),
        )
    ],
    "braze": lambda v: [
        Expect(
            "GET",
            "/segments/list",
            headers=bearer(v["api_key"]),
            query={"page": "0"},
            answer=Answer(200, {"segments": [], "message": "success"}),
        )
    ],
    "moengage": lambda v: [
        Expect(
            "GET",
            "/v3/custom-segments",
            headers={
                "Authorization": basic(v["data_api_id"], v["api_key"]),
                "MOE-APPKEY": v["data_api_id"],
            },
            answer=Answer(200, {"data": []}),
        )
    ],
    "dotdigital": lambda v: [
        Expect(
            "GET",
            "/v2/account-info",
            headers={"Authorization": basic(v["api_username"], v["api_password"])},
            answer=Answer(200, {"id": 1, "properties": []}),
        )
    ],
    "activecampaign": lambda v: [
        Expect(
            "GET",
            "/api/3/users/me",
            headers={"Api-Token": v["api_key"]},
            answer=Answer(200, {"user": {"id": "1", "username": "admin"}}),
        )
    ],
    "marketo": lambda v: [
        Expect(
            "POST",
            "/identity/oauth/token",
            form={
                "grant_type": "client_credentials",
                "client_id": v["client_id"],
                "client_secret": v["client_secret"],
            },
            answer=Answer(200, {"access_token": TOKEN, "token_type": "bearer", "expires_in": 3599}),
        ),
        Expect(
            "GET",
            "/rest/v1/lists.json",
            headers=bearer(TOKEN),
            query={"batchSize": "1"},
            answer=Answer(200, {"requestId": "e42b#1", "success": True, "result": []}),
        ),
    ],
    "dynamics365_marketing": lambda v: dynamics("dynamics365_marketing"),
    "dynamics365_sales": lambda v: dynamics("dynamics365_sales"),
    "azure_synapse": lambda v: [
        ms_token("https://management.azure.com/.default"),
        Expect(
            "GET",
            f"/subscriptions/{v['subscription']}/providers/Microsoft.Synapse/workspaces",
            headers=bearer(TOKEN),
            query={"api-version": "2021-06-01"},
            answer=Answer(200, {"value": [{"name": v["workspace"], "type": "workspaces"}]}),
        ),
    ],
    # A good token: "results not found" for a bulk id that does not exist.
    "leadspace": lambda v: [
        Expect(
            "GET",
            "/v3/enrichment/results/connections-admin-verify",
            headers=bearer(v["token"]),
            answer=Answer(404, {"error": "results not found"}),
        )
    ],
    "here_technologies": lambda v: [
        Expect(
            "GET",
            "/v1/geocode",
            query={"apiKey": v["api_key"], "q": "Invalidenstrasse 116, Berlin", "limit": "1"},
            answer=Answer(200, {"items": [{"title": "Invalidenstraße 116, Berlin"}]}),
        )
    ],
    "azure_maps": lambda v: [
        Expect(
            "GET",
            "/geocode",
            headers={"subscription-key": v["api_key"]},
            query={"api-version": "2023-06-01", "top": "1"},
            answer=Answer(200, {"type": "FeatureCollection", "features": []}),
        )
    ],
    "dun_bradstreet": lambda v: [
        Expect(
            "POST",
            "/v3/token",
            headers={"Authorization": basic(v["username"], v["password"])},
            json={"grant_type": "client_credentials"},
            answer=Answer(200, {"access_token": TOKEN, "expiresIn": 86400}),
        )
    ],
    "liveramp_abilitec": lambda v: [
        Expect(
            "POST",
            "/token",
            form={
                "grant_type": "client_credentials",
                "client_id": v["client_id"],
                "client_secret": v["client_secret"],
            },
            answer=Answer(200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600}),
        )
    ],
}


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    with StandIn(tmp_path_factory.mktemp("standin")) as server:
        yield server


@pytest.fixture
def pointed(standin):
    """Every HTTP type's base URLs (and token URLs) point at the stand-in."""
    urls = {}
    for key in HTTP_TYPES:
        urls[key] = standin.url
        urls[f"{key}:token"] = standin.url
    with override_settings(
        CONNECTIONS_SERVICE_BASE_URLS=urls,
        CONNECTIONS_OUTBOUND_TEST_HOSTS={HOST: ["127.0.0.1"]},
        CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS=["127.0.0.1/32"],
        CONNECTIONS_OUTBOUND_EXTRA_CA_FILE=str(standin.ca_file),
        CONNECTIONS_MICROSOFT_APP=MICROSOFT_APP,
    ):
        yield standin


def context(key, seconds=5.0, **overrides):
    connection_type = registry.get(key)
    values = {**GOOD[key], **overrides}
    secrets = {name: values.pop(name) for name in connection_type.secret_names() if name in values}
    return CheckContext(settings=values, secrets=secrets, deadline=Deadline(seconds))


def secrets_of(key):
    values = [GOOD[key][name] for name in registry.get(key).secret_names()]
    check = registry.get(key).check
    if check.values_setting:
        values += [MICROSOFT_APP[name] for name in check.setting_secrets]
    return values + [TOKEN]


def run(key, **kwargs):
    return registry.get(key).check.run(context(key, **kwargs))


def failure_of(key, **kwargs) -> CheckFailed:
    with pytest.raises(CheckFailed) as caught:
        run(key, **kwargs)
    return caught.value


def assert_no_secret(key, failure):
    shown = " ".join([str(failure), repr(failure), failure.message, repr(failure.__dict__)])
    for secret in secrets_of(key):
        assert secret not in shown, f"{key}: a secret is in the error"


# --- every HTTP type: the documented request, and its success passes ------------------------


def test_every_http_type_has_a_contract():
    assert HTTP_TYPES, "no HTTP type declares an HttpCheck"
    missing = set(HTTP_TYPES) - set(CONTRACTS)
    assert not missing, f"write the documented request of {sorted(missing)} in CONTRACTS"
    assert set(CONTRACTS) <= set(HTTP_TYPES)


@pytest.mark.parametrize("key", HTTP_TYPES)
def test_sends_the_documented_request_and_passes_on_the_documented_success(key, pointed):
    expected = CONTRACTS[key](GOOD[key])
    pointed.expect(*expected)
    result = run(key)
    assert pointed.violations == []
    assert [(seen.method, seen.path) for seen in pointed.requests] == [
        (e.method, e.path) for e in expected
    ]
    assert result.details == {"status": expected[-1].answer.status}


@pytest.mark.parametrize("key", HTTP_TYPES)
def test_a_wrong_credential_is_not_the_documented_request(key, pointed):
    """The stand-in refuses what the documentation does not describe: the contract holds."""
    pointed.expect(*CONTRACTS[key](GOOD[key]))
    secret = registry.get(key).secret_names()
    overrides = {secret[0]: "not-the-key"} if secret else {}
    if not overrides:
        pytest.skip("the credentials of this type come from the console's settings")
    failure = failure_of(key, **overrides)
    assert failure.failure is Failure.AUTHENTICATION_FAILED
    assert pointed.violations


@pytest.mark.parametrize("key", HTTP_TYPES)
def test_declares_its_endpoint_and_document(key):
    connection_type = registry.get(key)
    check = connection_type.check
    assert check.service == key
    assert check.document.title and check.document.url.startswith("https://")
    assert check.base_url.startswith(("https://", "{"))
    assert check.method in check.describe and check.path in check.describe
    assert check.document.title in check.describe
    for secret in [GOOD[key][name] for name in connection_type.secret_names()]:
        assert secret not in check.describe and secret not in repr(check)


@pytest.mark.parametrize("key", HTTP_TYPES)
def test_a_401_is_authentication_failed_without_a_secret(key, pointed):
    expected = CONTRACTS[key](GOOD[key])
    expected[0].answer = Answer(401, {"error": "unauthorized", "echo": secrets_of(key)})
    pointed.expect(*expected)
    failure = failure_of(key)
    assert failure.failure is Failure.AUTHENTICATION_FAILED
    assert failure.status == 401
    assert len(pointed.requests) == 1  # nothing after a refused token
    assert_no_secret(key, failure)


# --- a representative type: each answer maps to its category ---------------------------------


def sendgrid(pointed, answer):
    expected = CONTRACTS["sendgrid"](GOOD["sendgrid"])
    expected[0].answer = answer
    pointed.expect(*expected)


@pytest.mark.parametrize(
    ("status", "category"),
    [
        (401, Failure.AUTHENTICATION_FAILED),
        (403, Failure.AUTHENTICATION_FAILED),
        (404, Failure.SERVICE_ERROR),
        (500, Failure.SERVICE_ERROR),
        (503, Failure.SERVICE_ERROR),
        (302, Failure.SERVICE_ERROR),
    ],
)
def test_sendgrid_answers_map_to_categories(pointed, status, category):
    body = {"errors": [{"message": "access forbidden SG.sendgrid-key", "field": None}]}
    sendgrid(pointed, Answer(status, body, headers={"Location": "https://elsewhere.example/"}))
    failure = failure_of("sendgrid")
    assert (failure.failure, failure.status) == (category, status)
    assert "access forbidden" not in failure.message
    assert_no_secret("sendgrid", failure)


def test_a_429_is_a_service_error_with_its_retry_after(pointed):
    sendgrid(pointed, Answer(429, {"errors": [{"message": "too many"}]}, {"Retry-After": "30"}))
    failure = failure_of("sendgrid")
    assert (failure.failure, failure.status) == (Failure.SERVICE_ERROR, 429)
    assert failure.retry_after == 30.0
    assert_no_secret("sendgrid", failure)


def test_a_slow_answer_times_out_at_the_deadline(pointed):
    sendgrid(pointed, Answer(200, {"scopes": []}, delay=3.0))
    started = time.monotonic()
    failure = failure_of("sendgrid", seconds=1.0)
    assert failure.failure is Failure.TIMED_OUT
    assert time.monotonic() - started < 2.5


def test_a_hung_socket_times_out_at_the_deadline(pointed):
    sendgrid(pointed, Answer(hang=True))
    started = time.monotonic()
    failure = failure_of("sendgrid", seconds=1.0)
    assert failure.failure is Failure.TIMED_OUT
    assert 0.9 <= time.monotonic() - started < 2.5
    assert len(pointed.requests) == 1


def test_a_404_means_not_found_where_the_type_says_it_is_the_account(pointed):
    expected = CONTRACTS["azure_synapse"](GOOD["azure_synapse"])
    expected[1].answer = Answer(404, {"error": {"code": "SubscriptionNotFound"}})
    pointed.expect(*expected)
    assert failure_of("azure_synapse").failure is Failure.NOT_FOUND


def test_synapse_workspace_missing_from_the_subscription_is_not_found(pointed):
    expected = CONTRACTS["azure_synapse"](GOOD["azure_synapse"])
    expected[1].answer = Answer(200, {"value": [{"name": "another-ws"}]})
    pointed.expect(*expected)
    failure = failure_of("azure_synapse")
    assert (failure.failure, failure.status) == (Failure.NOT_FOUND, 200)


def test_microsoft_token_refused_with_400_is_authentication_failed(pointed):
    expected = CONTRACTS["dynamics365_sales"](GOOD["dynamics365_sales"])
    expected[0].answer = Answer(400, {"error": "invalid_client", "error_description": "AADSTS"})
    pointed.expect(*expected)
    failure = failure_of("dynamics365_sales")
    assert (failure.failure, failure.status) == (Failure.AUTHENTICATION_FAILED, 400)
    assert len(pointed.requests) == 1
    assert_no_secret("dynamics365_sales", failure)


def test_microsoft_types_without_the_console_app_cannot_authenticate(pointed):
    pointed.expect()
    with override_settings(CONNECTIONS_MICROSOFT_APP={}):
        failure = failure_of("dynamics365_marketing")
    assert failure.failure is Failure.AUTHENTICATION_FAILED
    assert pointed.requests == []


@pytest.mark.parametrize(
    ("code", "category", "status"),
    [
        ("601", Failure.AUTHENTICATION_FAILED, 200),
        ("603", Failure.AUTHENTICATION_FAILED, 200),
        ("606", Failure.SERVICE_ERROR, 429),
        ("611", Failure.SERVICE_ERROR, 200),
    ],
)
def test_marketo_errors_inside_a_200(pointed, code, category, status):
    expected = CONTRACTS["marketo"](GOOD["marketo"])
    expected[1].answer = Answer(
        200, {"requestId": "1", "success": False, "errors": [{"code": code, "message": "x"}]}
    )
    pointed.expect(*expected)
    failure = failure_of("marketo")
    assert (failure.failure, failure.status) == (category, status)
    assert_no_secret("marketo", failure)


def test_a_token_answer_without_a_token_is_a_service_error(pointed):
    expected = CONTRACTS["marketo"](GOOD["marketo"])
    expected[0].answer = Answer(200, b"<html>maintenance</html>")
    pointed.expect(*expected)
    failure = failure_of("marketo")
    assert (failure.failure, failure.status) == (Failure.SERVICE_ERROR, 200)


# --- base URLs: the type's, or settings; never a form ---------------------------------------


@pytest.mark.parametrize(
    ("key", "base"),
    [
        ("sendgrid", "https://api.sendgrid.com"),
        ("activecampaign", "https://account.api-us1.com"),
        ("marketo", "https://123-abc-456.mktorest.com"),
        ("dynamics365_sales", "https://contoso.crm4.dynamics.com"),
    ],
)
def test_base_url_is_the_types_unless_settings_override_it(key, base):
    check = registry.get(key).check
    values = {**GOOD[key], **MICROSOFT_APP}
    with override_settings(CONNECTIONS_SERVICE_BASE_URLS={}):
        assert check.base(values) == base
    with override_settings(CONNECTIONS_SERVICE_BASE_URLS={key: "https://standin.test:8443/"}):
        assert check.base(values) == "https://standin.test:8443"
        # A value entered in the form cannot move it.
        assert check.base({**values, "rest_hostname": "evil.example"}) == (
            "https://standin.test:8443"
        )


def test_the_default_setting_is_an_empty_mapping():
    from django.conf import settings

    assert settings.CONNECTIONS_SERVICE_BASE_URLS == {}


def test_path_values_from_a_form_are_percent_encoded(pointed):
    expected = CONTRACTS["azure_synapse"](GOOD["azure_synapse"])
    pointed.expect(*expected)
    with pytest.raises(CheckFailed):
        run("azure_synapse", subscription="../../other?x=1")
    assert pointed.requests[-1].path.endswith(
        "/subscriptions/..%2F..%2Fother%3Fx%3D1/providers/Microsoft.Synapse/workspaces"
    )


# --- Retry-After -----------------------------------------------------------------------------


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(later, now=now) == 90.0
    earlier = format_datetime(now - timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(earlier, now=now) == 0.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
