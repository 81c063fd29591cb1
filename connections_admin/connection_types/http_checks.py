"""Verify for services with an HTTP API: one declarative :class:`HttpCheck` per type.

A type declares the cheapest authenticated read its vendor documents for checking
credentials: the method, the base URL (the vendor's fixed URL, or one built from a setting
of the connection such as ``https://{rest_hostname}``), the path, how the credentials go
into the request (:class:`Bearer`, :class:`HeaderKey`, :class:`Basic`, :class:`QueryKey`,
or an OAuth 2.0 token request first with :class:`OAuthToken`), and the document it comes
from. The check sends the request through ``connections_admin.outbound.http`` (HTTPS only,
guarded addresses, no redirects) and maps the answer to a category:

* 2xx (or the statuses the type declares OK): the check passes;
* 401: ``AUTHENTICATION_FAILED``;
* 403: ``AUTHENTICATION_FAILED`` as well. For every vendor here a 403 on the credential
  read means the credentials were recognised but are not allowed this API (missing scope or
  permission, address allow-list, disabled API user): what the admin fixes is the key or
  the app where the vendor manages it. ``NO_WRITE_PERMISSION`` is about writing to a
  destination and would send the admin to the wrong place;
* 404: ``NOT_FOUND`` where the type says a 404 means the account or workspace does not
  exist, otherwise ``SERVICE_ERROR`` with the status;
* 429: ``SERVICE_ERROR`` with status 429 (the caller may retry later;
  :func:`retry_after_seconds` reads the ``Retry-After`` the service sent);
* anything else, 5xx included: ``SERVICE_ERROR`` with the status.

Errors carry a category and a status only: never the service's words, a secret or a URL.

Only settings may move a base URL: ``settings.CONNECTIONS_SERVICE_BASE_URLS`` maps a type
key to a base URL that replaces the type's (``"<key>:token"`` replaces the base URL of the
token request). Contract tests point them at a loopback stand-in; nothing in a form can.
"""

from __future__ import annotations

import base64
import email.utils
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings

from connections_admin.outbound import http
from connections_admin.outbound.failures import CheckFailed, Failure

from .checks import CheckContext, CheckResult

# Values a URL, header or body template may use: the connection's settings and secrets,
# and (for services of the console's own organization) the settings named by the check.
Values = Mapping[str, Any]


def _fill(template: str, values: Values, *, in_path: bool = False) -> str:
    if in_path:
        values = {name: quote(str(value), safe="") for name, value in values.items()}
    try:
        return template.format_map(values)
    except (KeyError, IndexError):
        # A value the template needs is missing: the connection cannot be checked as
        # set up, which is the admin's to fix where the credentials are entered.
        raise CheckFailed(Failure.AUTHENTICATION_FAILED) from None


# --- how credentials go into a request ------------------------------------------------------


@dataclass(frozen=True)
class Bearer:
    """``Authorization: <scheme> <secret>`` (``scheme`` is ``Bearer`` unless the vendor
    documents its own, such as Klaviyo's ``Klaviyo-API-Key``)."""

    secret: str = "api_key"
    scheme: str = "Bearer"

    def apply(self, values: Values, headers: dict[str, str], query: dict[str, str]) -> None:
        headers["Authorization"] = f"{self.scheme} {values.get(self.secret, '')}"

    def describe(self) -> str:
        return f"Authorization: {self.scheme} <{self.secret}>"


@dataclass(frozen=True)
class HeaderKey:
    """The key in a header of the vendor's name (``api-key``, ``Api-Token``, ...)."""

    header: str
    secret: str = "api_key"

    def apply(self, values: Values, headers: dict[str, str], query: dict[str, str]) -> None:
        headers[self.header] = str(values.get(self.secret, ""))

    def describe(self) -> str:
        return f"{self.header}: <{self.secret}>"


@dataclass(frozen=True)
class Basic:
    """HTTP Basic: ``username`` and ``password`` name the fields that hold them."""

    username: str
    password: str

    def apply(self, values: Values, headers: dict[str, str], query: dict[str, str]) -> None:
        pair = f"{values.get(self.username, '')}:{values.get(self.password, '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")

    def describe(self) -> str:
        return f"Authorization: Basic <{self.username}:{self.password}>"


@dataclass(frozen=True)
class QueryKey:
    """The key in a query parameter, where that is the vendor's only way (HERE ``apiKey``)."""

    param: str
    secret: str = "api_key"

    def apply(self, values: Values, headers: dict[str, str], query: dict[str, str]) -> None:
        query[self.param] = str(values.get(self.secret, ""))

    def describe(self) -> str:
        return f"?{self.param}=<{self.secret}>"


@dataclass(frozen=True)
class OAuthToken:
    """An OAuth 2.0 token request first (client credentials, RFC 6749 section 4.4), then the
    read with ``Authorization: Bearer <access_token>``.

    ``base_url``/``path`` locate the token endpoint (``base_url`` may be overridden with the
    ``"<type key>:token"`` entry of ``CONNECTIONS_SERVICE_BASE_URLS``); ``form`` is sent
    urlencoded. A 400 or 401 from the token endpoint is ``AUTHENTICATION_FAILED``: RFC 6749
    section 5.2 answers bad client credentials, an unknown tenant or a bad scope with 400.
    """

    base_url: str
    path: str
    form: Mapping[str, str]
    token_field: str = "access_token"

    def describe(self) -> str:
        return f"POST {self.base_url}{self.path} (client credentials), then Bearer <token>"


Auth = Bearer | HeaderKey | Basic | QueryKey | OAuthToken


# --- the check ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """The vendor's public document the request comes from."""

    title: str
    url: str


@dataclass(frozen=True, eq=False)
class HttpCheck:
    """One documented authenticated read; see the module docstring for the mapping."""

    method: str
    base_url: str
    path: str
    # None: the credentials travel in the body (a token request checked on its own).
    auth: Auth | None
    document: Document
    query: Mapping[str, str] = field(default_factory=dict)
    # Extra headers; values may use templates such as ``{data_api_id}``.
    headers: Mapping[str, str] = field(default_factory=dict)
    # A JSON or urlencoded body (templated values), for requests documented as POST.
    json_body: Mapping[str, Any] | None = None
    form_body: Mapping[str, str] | None = None
    ok_statuses: frozenset[int] = frozenset(range(200, 300))
    # The statuses that mean the credentials were refused: 400 too for a bare token
    # request (RFC 6749 section 5.2).
    auth_statuses: frozenset[int] = frozenset({401, 403})
    # True where the vendor documents a 404 on this read as "no such account/workspace".
    not_found_means_missing: bool = False
    # A look at a 2xx answer for vendors that report errors inside it (Marketo); returns
    # a CheckFailed to raise, or None. It must not put the body into the error.
    answer_check: Callable[[Any, Values], CheckFailed | None] | None = None
    # A setting (a dict) whose entries join the values: the console's own credentials for
    # services assumed to be in its organization (Microsoft).
    values_setting: str = ""
    # Secrets read from ``values_setting`` (kept out of errors like the connection's own).
    setting_secrets: frozenset[str] = frozenset()
    # Filled in by the owning type class (``__set_name__``): its key, for the override.
    service: str = ""

    def __set_name__(self, owner: type, name: str) -> None:
        key = getattr(owner, "key", "")
        if key and not self.service:
            object.__setattr__(self, "service", key)

    @property
    def describe(self) -> str:  # type: ignore[override]
        query = f"?{urlencode(dict(self.query))}" if self.query else ""
        if self.auth is not None:
            how = self.auth.describe()
        else:
            how = "the credentials in the body (" + ", ".join(self._body_fields()) + ")"
        return (
            f"{self.method} {self.base_url}{self.path}{query} with {how}; "
            f"documented in {self.document.title} ({self.document.url})."
        )

    def _body_fields(self) -> list[str]:
        return list((self.json_body or self.form_body or {}).keys())

    def __repr__(self) -> str:
        return f"HttpCheck({self.service or '?'}: {self.method} {self.base_url}{self.path})"

    # The request ----------------------------------------------------------------------------

    def values(self, context: CheckContext) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if self.values_setting:
            values.update(getattr(settings, self.values_setting, None) or {})
        values.update(context.settings)
        values.update(context.secrets)
        return values

    def base(self, values: Values, *, token: bool = False) -> str:
        overrides = getattr(settings, "CONNECTIONS_SERVICE_BASE_URLS", None) or {}
        key = f"{self.service}:token" if token else self.service
        if key in overrides:
            return str(overrides[key]).rstrip("/")
        template = self.base_url
        if token and isinstance(self.auth, OAuthToken):
            template = self.auth.base_url
        return _fill(template, values).rstrip("/")

    def run(self, context: CheckContext) -> CheckResult:
        values = self.values(context)
        headers = {"Accept": "application/json"}
        headers.update({name: _fill(value, values) for name, value in self.headers.items()})
        query = dict(self.query)
        if isinstance(self.auth, OAuthToken):
            token = self._token(values, context.deadline)
            headers["Authorization"] = f"Bearer {token}"
        elif self.auth is not None:
            self.auth.apply(values, headers, query)
        url = self.base(values) + _fill(self.path, values, in_path=True)
        if query:
            url += "?" + urlencode(query)
        body = None
        if self.json_body is not None:
            headers["Content-Type"] = "application/json"
            filled = {
                k: _fill(v, values) if isinstance(v, str) else v for k, v in self.json_body.items()
            }
            body = json.dumps(filled).encode()
        elif self.form_body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode({k: _fill(v, values) for k, v in self.form_body.items()}).encode()
        response = http.request(
            self.method, url, headers=headers, body=body, deadline=context.deadline
        )
        self._raise_for(response)
        if self.answer_check is not None:
            failure = self.answer_check(response, values)
            if failure is not None:
                raise failure
        return CheckResult(details={"status": response.status})

    def _token(self, values: Values, deadline: Any) -> str:
        auth = self.auth
        assert isinstance(auth, OAuthToken)
        form = {name: _fill(value, values) for name, value in auth.form.items()}
        url = self.base(values, token=True) + _fill(auth.path, values, in_path=True)
        response = http.request(
            "POST",
            url,
            headers={
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            body=urlencode(form).encode(),
            deadline=deadline,
        )
        if response.status in (400, 401):
            raise CheckFailed(Failure.AUTHENTICATION_FAILED, status=response.status)
        self._raise_for(response, ok=frozenset(range(200, 300)))
        token = _json(response).get(auth.token_field)
        if not isinstance(token, str) or not token:
            raise CheckFailed(Failure.SERVICE_ERROR, status=response.status)
        return token

    def _raise_for(self, response: Any, ok: frozenset[int] | None = None) -> None:
        if response.status in (self.ok_statuses if ok is None else ok):
            return
        failure = status_failure(
            response.status,
            not_found_means_missing=self.not_found_means_missing,
            auth_statuses=self.auth_statuses,
        )
        if response.status == 429:
            # For a later retry policy: how long the service asked to be left alone.
            failure.retry_after = retry_after_seconds(header(response, "Retry-After"))
        raise failure


def status_failure(
    status: int,
    *,
    not_found_means_missing: bool = False,
    auth_statuses: frozenset[int] = frozenset({401, 403}),
) -> CheckFailed:
    """The category of an HTTP answer that is not OK (module docstring)."""
    if status in auth_statuses:
        return CheckFailed(Failure.AUTHENTICATION_FAILED, status=status)
    if status == 404 and not_found_means_missing:
        return CheckFailed(Failure.NOT_FOUND, status=status)
    return CheckFailed(Failure.SERVICE_ERROR, status=status)


def _json(response: Any) -> dict[str, Any]:
    try:
        data = json.loads(response.body or b"{}")
    except (ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def header(response: Any, name: str) -> str | None:
    """A response header, whatever mapping the response keeps them in."""
    headers = getattr(response, "headers", None) or {}
    getter = getattr(headers, "get", None)
    if getter is not None:
        value = getter(name)
        if value is not None:
            return str(value)
    lowered = name.lower()
    items = headers.items() if hasattr(headers, "items") else headers
    for key, value in items:
        if str(key).lower() == lowered:
            return str(value)
    return None


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (RFC 9110 section 10.2.3): a number of
    seconds or an HTTP date. None when absent or unreadable; never negative."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


# --- answers vendors report inside a 200 ----------------------------------------------------


def marketo_answer(response: Any, values: Values) -> CheckFailed | None:
    """Marketo answers 200 with ``success: false`` and error codes (Marketo "Error Codes":
    601/602 access token invalid/expired, 603 access denied; 606/607/615 rate, quota and
    concurrency limits)."""
    data = _json(response)
    if data.get("success", True) is not False:
        return None
    errors = [error for error in data.get("errors") or [] if isinstance(error, dict)]
    codes = {str(error.get("code")) for error in errors}
    if codes & {"601", "602", "603"}:
        return CheckFailed(Failure.AUTHENTICATION_FAILED, status=response.status)
    if codes & {"606", "607", "615"}:
        return CheckFailed(Failure.SERVICE_ERROR, status=429)
    return CheckFailed(Failure.SERVICE_ERROR, status=response.status)


def synapse_workspace_listed(response: Any, values: Values) -> CheckFailed | None:
    """The subscription's workspaces must include the connection's workspace."""
    names = {
        str(item.get("name", "")).lower()
        for item in _json(response).get("value") or []
        if isinstance(item, dict)
    }
    if str(values.get("workspace", "")).lower() in names:
        return None
    return CheckFailed(Failure.NOT_FOUND, status=response.status)
