"""Admin > Connections: the Connections and Discover tabs, and the set-up, edit and remove panes.

Every view renders one template; htmx requests get its named partial (the tab
panel, or the pane shown in the dialog) and every other request the whole page,
so each URL works without JavaScript.
"""

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_htmx.http import trigger_client_event

from connections_admin.accounts.permissions import role_required
from connections_admin.accounts.roles import Role
from connections_admin.connection_types.base import ConnectionType, Usage
from connections_admin.connection_types.registry import UnknownConnectionType, registry
from connections_admin.core.forms import SearchForm, is_id
from connections_admin.core.htmx import pane_closed, render_page, wants_fragment
from connections_admin.core.pagination import paginate, paginate_param
from connections_admin.core.sorting import SortColumn, parse_sort, sort_headers

from . import dependants, selectors, services, sharing, verify
from .crypto import SecretsUnreadable, secrets_readable
from .forms import ConnectionForm
from .models import Connection, Health

CHANGED_EVENT = "connections:changed"
RECENT = 5  # recent runs (and the like) in a connection's Edit pane
RATE_LIMITED = gettext_lazy("Too many checks in the last minute: wait a moment, then verify again.")


def _sort_columns() -> list[SortColumn]:
    """The Connections tab's columns: a count for each counted dependant kind."""
    return [
        SortColumn("name", gettext_lazy("Display name"), ("name_sort",)),
        SortColumn("type", gettext_lazy("Type"), ("type_sort",)),
        SortColumn("used_for", gettext_lazy("Used for"), ("used_for_sort",)),
        SortColumn(
            "who", gettext_lazy("Who can use it"), ("contributors_may_use", "chosen_may_use")
        ),
        SortColumn("status", gettext_lazy("Status"), ("health", "health_since")),
        *(
            SortColumn(kind.plural_key, kind.words.column, (selectors.count_name(kind),))
            for kind in dependants.kinds.counted()
        ),
        SortColumn("created", gettext_lazy("Created"), ("created_at",)),
    ]


def _done(request: HttpRequest, message: str) -> HttpResponse:
    """After a successful change: htmx closes the pane and refreshes; others go to the list."""
    if wants_fragment(request):
        return pane_closed(CHANGED_EVENT, message)
    messages.success(request, message)
    return redirect("connections:list")


def _from_discover(request: HttpRequest) -> bool:
    """Whether the htmx request was made on the Discover tab (its pane opened from a tile)."""
    path = request.htmx.current_url_abs_path or ""
    try:
        return resolve(path.split("?")[0]).view_name == "connections:discover"
    except Resolver404:
        return False


def _set_up_done(request: HttpRequest, connection: Connection) -> HttpResponse:
    """After Set up: the Connections tab, newest first, the new row marked at the top.

    From the Connections tab (htmx) the pane closes and the list refreshes in place, as
    after any pane. From a Discover tile the new row is nowhere on the page behind the
    pane: htmx loads the Connections tab into the tabs' region (HX-Location, a history
    entry like the tabs' own) and scrolls to the top. Without JavaScript: a redirect.
    """
    message = _("Connection “%s” was set up.") % connection
    address = (
        reverse("connections:list")
        + "?"
        + urlencode({"sort": "-created", "created": connection.pk})
    )
    if not wants_fragment(request):
        messages.success(request, message)
        return redirect(f"{address}#connection-{connection.pk}")
    if not _from_discover(request):
        return pane_closed(CHANGED_EVENT, message)
    response = HttpResponse(status=204)
    response["HX-Location"] = json.dumps(
        {"path": address, "target": "#admin-connections", "swap": "innerHTML show:window:top"}
    )
    trigger_client_event(response, "console:message", {"text": message})
    trigger_client_event(response, "pane:close")
    return response


def _created(request: HttpRequest) -> int | None:
    """The connection just set up (``?created=<pk>``), to mark its row."""
    raw = request.GET.get("created", "")
    return int(raw) if is_id(raw) else None


@role_required(Role.ADMIN)
@require_http_methods(["GET", "HEAD"])
def connection_list(request: HttpRequest) -> HttpResponse:
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    health = request.GET.get("status", "")
    if health not in Health.values:
        health = ""
    columns = _sort_columns()
    sort = parse_sort(request.GET, columns, default="name")
    connections = selectors.connection_list(search=query, health=health)
    page = paginate(request, sort.apply(connections), 50)
    counted = [selectors.count_name(kind) for kind in dependants.kinds.counted()]
    # Every row of the page goes in, not just those shared with chosen people: the two
    # queries then run on every page that has rows, whichever rows it has, so the count of
    # queries is the same at 10 connections and at 10,000.
    chosen = selectors.chosen_names([c.pk for c in page.object_list])
    for connection in page.object_list:
        connection.use_counts_shown = [getattr(connection, name) for name in counted]
        if connection.chosen_may_use and not connection.contributors_may_use:
            names = chosen.get(connection.pk)
            if names:
                connection.chosen_names = sharing.names_in_short(*names)
    context = {
        "tab": "connections",
        "search_form": search,
        "health": health,
        "health_choices": Health.choices,
        "query": query,
        "sort": sort,
        "sort_headers": sort_headers(sort, columns),
        "page": page,
        "usage": Usage,
        "created": _created(request),
    }
    return render_page(request, "connections/list.html", context, fragment="tabs")


@role_required(Role.ADMIN)
@require_http_methods(["GET", "HEAD"])
def discover(request: HttpRequest) -> HttpResponse:
    context = {
        "tab": "discover",
        "groups": [(usage, registry.for_usage(usage)) for usage in Usage],
    }
    return render_page(request, "connections/discover.html", context, fragment="tabs")


@role_required(Role.ADMIN)
@require_http_methods(["GET", "HEAD"])
def choose_type(request: HttpRequest) -> HttpResponse:
    """Add connection: the types, by what they are used for, filtered by name or
    description (a GET form; as you type, htmx asks for the list alone)."""
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    needle = query.casefold()
    groups = [
        (usage, [t for t in registry.for_usage(usage) if _type_matches(t, needle)])
        for usage in Usage
    ]
    groups = [(usage, types) for usage, types in groups if types]
    list_only = wants_fragment(request) and request.htmx.target == "type-results"
    context = {
        "groups": groups,
        "query": query,
        "found": len({t.key for _usage, types in groups for t in types}),
        "count_oob": list_only,
    }
    return render_page(
        request,
        "connections/choose_type.html",
        context,
        fragment="types" if list_only else "pane",
    )


def _type_matches(connection_type: type[ConnectionType], needle: str) -> bool:
    return not needle or any(
        needle in str(text).casefold()
        for text in (connection_type.name, connection_type.description)
    )


def _verify_after_set_up(request: HttpRequest, connection: Connection) -> HttpResponse:
    """Save and verify: the new connection is saved; show its Verify pane with the check."""
    message = _("Connection “%s” was set up.") % connection
    try:
        verify.connection_verify(connection=connection, user=request.user)
    except verify.VerifyRateLimited:
        notice, ok = RATE_LIMITED, False
    else:
        notice, ok = message, True
    if not wants_fragment(request):
        (messages.success if ok else messages.error)(request, notice)
        return redirect("connections:verify", pk=connection.pk)
    response = render_page(
        request,
        "connections/verify.html",
        _checks_context(connection, notice, ok),
        fragment="pane",
    )
    trigger_client_event(response, CHANGED_EVENT)
    return response


def _connection_type_or_404(type_key: str) -> type[ConnectionType]:
    """The catalog knows nothing of the web: its error for an unknown key becomes a 404 here."""
    try:
        return registry.get(type_key)
    except UnknownConnectionType:
        raise Http404("No such connection type.") from None


@sensitive_post_parameters()
@role_required(Role.ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def connection_new(request: HttpRequest, type_key: str) -> HttpResponse:
    connection_type = _connection_type_or_404(type_key)
    form = ConnectionForm(request.POST or None, connection_type=connection_type)
    if request.method == "POST" and form.is_valid():
        try:
            connection = services.connection_create(
                connection_type=connection_type,
                display_name=form.cleaned_data["display_name"],
                values=form.setup_values(),
                user=request.user,
                sharing=form.sharing(),
            )
        except services.DisplayNameTaken:
            form.add_error("display_name", _("A connection with this display name already exists."))
        else:
            if "and_verify" in request.POST and verify.can_verify(connection):
                return _verify_after_set_up(request, connection)
            return _set_up_done(request, connection)
    context = {"form": form, "connection_type": connection_type, "connection": None}
    return render_page(request, "connections/form.html", context, fragment="pane")


@sensitive_post_parameters()
@role_required(Role.ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def connection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    connection = get_object_or_404(Connection, pk=pk)
    connection_type = connection.connection_type
    if connection_type is None:
        return render_page(
            request,
            "connections/unknown_type.html",
            {"connection": connection},
            fragment="pane",
            status=409,
        )
    form = ConnectionForm(
        request.POST or None, connection_type=connection_type, connection=connection
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_update(
                connection=connection,
                expected_version=form.cleaned_data["version"],
                display_name=form.cleaned_data["display_name"],
                values=form.setup_values(),
                user=request.user,
                sharing=form.sharing(),
            )
        except services.ConnectionConflict as conflict:
            form.add_error(None, services.describe_conflict(conflict))
        except services.DisplayNameTaken:
            form.add_error("display_name", _("A connection with this display name already exists."))
        except services.ConnectionAlreadyRemoved:
            form.add_error(None, _("This connection was removed meanwhile. Nothing was saved."))
        except SecretsUnreadable:
            form.add_error(
                None,
                _(
                    "The stored secrets cannot be read with the configured keys. "
                    "Enter every secret again to replace them."
                ),
            )
        else:
            return _done(request, _("Connection “%s” was saved.") % connection)
    context = {
        "form": form,
        "connection_type": connection_type,
        "connection": connection,
        "secrets_unreadable": not secrets_readable(connection.secrets_encrypted),
        "recent": [
            (kind, kind.recent(connection, RECENT)) for kind in dependants.kinds if kind.recent
        ],
        **_checks_context(connection),
    }
    return render_page(request, "connections/form.html", context, fragment="pane")


@role_required(Role.ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def connection_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        try:
            name = services.connection_remove(connection_id=pk, user=request.user)
        except services.ConnectionAlreadyRemoved:
            return _done(request, _("That connection was already removed."))
        except services.ConnectionInUse:
            pass  # show the dialog again: it now lists what uses the connection
        else:
            return _done(request, _("Connection “%s” was removed.") % name)
    connection = get_object_or_404(Connection, pk=pk)
    usage = selectors.connection_usage(connection)
    context = {
        "connection": connection,
        "usage": usage,
        "usage_summary": dependants.summary({use["kind"]: use["count"] for use in usage}),
        "refused": request.method == "POST",
    }
    return render_page(request, "connections/remove.html", context, fragment="pane")


def _posted_action(request: HttpRequest) -> tuple[str, list[str]]:
    """The action asked for and the raw ids it applies to (a row's own button, or the
    selection, posted under the kind's key)."""
    row_action = request.POST.get("row_action", "")
    if ":" in row_action:
        action, _sep, raw_id = row_action.partition(":")
        return action, [raw_id]
    action = request.POST.get("action", "")
    found = dependants.kinds.for_action(action)
    return action, request.POST.getlist(found[0].key) if found else []


def _stale() -> str:
    return _(
        "Some of the selected items do not use this connection any more: they were "
        "changed or removed meanwhile. Nothing was changed; the lists below are "
        "up to date."
    )


def _move_target(
    request: HttpRequest, kind: dependants.DependantKind, connection: Connection
) -> Connection | None:
    """The posted connection to move to, if it is one this kind's dependants may move to."""
    raw = request.POST.get("target", "")
    if not is_id(raw):
        return None
    return kind.move_targets(connection).filter(pk=int(raw)).first()


def _apply_dependant_action(
    request: HttpRequest, connection: Connection
) -> tuple[str, bool] | dependants.Confirmation:
    """Carry out a posted action on this connection's dependants; returns (message, ok),
    or the question to ask first (Remove and Move ask; a posted ``confirm=1`` answers)."""
    action, raw_ids = _posted_action(request)
    found = dependants.kinds.for_action(action)
    if found is None:
        return _("Choose what to do: Disconnect, Deactivate or Remove."), False
    kind, verb = found
    confirmed = request.POST.get("confirm") == "1"
    if verb == "detach_all":
        return dependants.apply_to_all(kind=kind, connection=connection, user=request.user), True
    target = None
    if verb in ("move", "move_all"):
        target = _move_target(request, kind, connection)
        if target is None:
            return (
                _("Choose one of the listed connections to move them to. Nothing was moved."),
                False,
            )
    if verb == "move_all":
        if not confirmed:
            return dependants.confirmation(
                kind=kind, verb=verb, connection=connection, ids=None, target=target
            ) or (_stale(), False)
        try:
            outcome = dependants.apply_to_all(
                kind=kind, connection=connection, user=request.user, target=target
            )
        except dependants.ConnectionGone:
            return _target_gone(target), False
        return (outcome, True) if outcome is not None else (_stale(), False)
    if not raw_ids:
        return str(kind.words.select_first), False
    if not all(is_id(raw) for raw in raw_ids):
        return _("The selection was not understood. Nothing was changed."), False
    ids = sorted({int(raw) for raw in raw_ids})
    if verb in ("remove", "move") and not confirmed:
        return dependants.confirmation(
            kind=kind, verb=verb, connection=connection, ids=ids, target=target
        ) or (_stale(), False)
    try:
        outcome = dependants.apply(
            kind=kind, verb=verb, connection=connection, ids=ids, user=request.user, target=target
        )
    except dependants.ConnectionGone:
        return _target_gone(target), False
    if outcome is None:
        return _stale(), False
    return outcome, True


def _target_gone(target: Connection) -> str:
    return (
        _("“%s” was removed or changed meanwhile and cannot take them. Nothing was moved.")
        % target.display_name
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def connection_dependants(request: HttpRequest, pk: int) -> HttpResponse:
    """What uses a connection, with Disconnect / Deactivate / Remove / Move, one by one or
    selected. Remove and Move ask first, in the same pane (or page)."""
    connection = get_object_or_404(Connection, pk=pk)
    notice, ok, confirm = "", True, None
    if request.method == "POST":
        outcome = _apply_dependant_action(request, connection)
        if isinstance(outcome, dependants.Confirmation):
            confirm = outcome  # asked in the pane (or the whole page): nothing changed yet
        else:
            notice, ok = outcome
            if not wants_fragment(request):
                (messages.success if ok else messages.error)(request, notice)
                return redirect("connections:dependants", pk=connection.pk)
    known = dependants.known_counts(connection)  # one query for the counted kinds
    sections = [
        dependants.Section(
            kind,
            paginate_param(
                request,
                kind.listing(connection),
                f"{kind.plural_key}_page",
                count=known.get(kind),
            ),
            connection,
            target_query=request.GET.get("target_q", "")[:100],
        )
        for kind in dependants.kinds
        if known.get(kind, 1)  # a counted kind nothing of which uses it: no list to read
    ]
    context = {
        "connection": connection,
        "sections": [section for section in sections if section.page.paginator.count],
        "notice": notice,
        "notice_ok": ok,
        "confirm": confirm,
    }
    response = render_page(request, "connections/dependants.html", context, fragment="pane")
    if request.method == "POST" and ok and confirm is None:
        trigger_client_event(response, CHANGED_EVENT)
    return response


def _checks_context(connection: Connection, notice: str = "", ok: bool = True) -> dict:
    checks = verify.latest_checks(connection)
    return {
        "connection": connection,
        "checks": checks,
        "can_verify": verify.can_verify(connection),
        "new_host_key": verify.new_host_key(connection, checks),
        "notice": notice,
        "notice_ok": ok,
    }


def _render_checks(request: HttpRequest, context: dict) -> HttpResponse:
    """The checks section alone when htmx swaps it (Edit pane, Verify pane), else the pane."""
    htmx = getattr(request, "htmx", None)
    fragment = "checks" if htmx and htmx.target == "checks" else "pane"
    return render_page(request, "connections/verify.html", context, fragment=fragment)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def connection_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """The Verify pane: the last checks, and Verify (a check in a background task)."""
    connection = get_object_or_404(Connection, pk=pk)
    notice, ok = "", True
    if request.method == "POST":
        try:
            verify.connection_verify(connection=connection, user=request.user)
        except verify.VerifyNotAvailable:
            notice, ok = _("Verify is not available for this type of connection yet."), False
        except verify.VerifyRateLimited:
            notice, ok = (
                _("Too many checks in the last minute: wait a moment, then verify again."),
                False,
            )
        if not wants_fragment(request):
            if notice:
                messages.error(request, notice)
            else:
                messages.success(request, _("The check has started."))
            return redirect("connections:verify", pk=connection.pk)
    context = _checks_context(connection, notice, ok)
    response = _render_checks(request, context)
    waited = request.GET.get("waiting", "")
    last = context["checks"][0] if context["checks"] else None
    if last is not None and not last.is_active and waited == str(last.pk):
        # The check this page was waiting for has finished: the Status column changes.
        trigger_client_event(response, CHANGED_EVENT)
    return response


@role_required(Role.ADMIN)
@require_http_methods(["POST"])
def connection_accept_host_key(request: HttpRequest, pk: int) -> HttpResponse:
    connection = get_object_or_404(Connection, pk=pk)
    key = verify.connection_accept_host_key(connection=connection, user=request.user)
    if key:
        notice, ok = _("The new host key was accepted. Verify again to check the connection."), True
    else:
        notice, ok = _("There is no new host key to accept."), False
    if not wants_fragment(request):
        (messages.success if ok else messages.error)(request, notice)
        return redirect("connections:verify", pk=connection.pk)
    return _render_checks(request, _checks_context(connection, notice, ok))
