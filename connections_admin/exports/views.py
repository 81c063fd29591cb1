"""The Exports page, and adding, editing, disconnecting and removing exports."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from connections_admin.accounts.permissions import role_required
from connections_admin.accounts.roles import Role
from connections_admin.connections.dependants import ConnectionGone
from connections_admin.core.confirm import render_confirm
from connections_admin.core.forms import is_id
from connections_admin.core.htmx import render_page, wants_fragment
from connections_admin.core.listing import render_list
from connections_admin.core.pagination import paginate
from connections_admin.core.sorting import SortColumn

from . import runs, selectors, services
from .forms import ExportForm
from .models import CUSTOMER_FIELDS, Export, ExportRun

SORT_COLUMNS = [
    SortColumn("name", gettext_lazy("Name"), ("name_sort",)),
    SortColumn("connection", gettext_lazy("Connection"), ("connection_sort",)),
    SortColumn("status", gettext_lazy("Status"), ("connection",)),
    SortColumn("schedule", gettext_lazy("Schedule"), ("schedule", "schedule_time")),
    SortColumn("last_run", gettext_lazy("Last run"), ("last_run_at",)),
    SortColumn("created_by", gettext_lazy("Created by"), ("created_by__username",)),
]


@role_required(Role.VIEWER)
@require_http_methods(["GET", "HEAD"])
def export_list(request: HttpRequest) -> HttpResponse:
    return render_list(
        request,
        "exports/list.html",
        title=_("Exports"),
        columns=SORT_COLUMNS,
        rows=lambda query: selectors.export_list(user=request.user, search=query),
    )


def _initial_from(data: QueryDict) -> dict:
    """A submitted form's values as initial data, to redisplay it without errors."""
    multi = {"segments", "fields"}
    return {key: data.getlist(key) if key in multi else data.get(key) for key in data}


def _edit_form(request: HttpRequest, export: Export) -> HttpResponse:
    """Add (``export.pk`` is None) or edit an export; Preview shows what a run would write."""
    preview = None
    reattaching = export.pk is not None and export.connection_id is None  # before the form sets it
    connection_query = request.POST.get("connection_q", request.GET.get("connection_q", ""))[:100]
    if request.method == "POST" and "find_connection" in request.POST:
        # Without JavaScript, "Find" submits the whole form: show it again, unchecked.
        form = ExportForm(instance=export, user=request.user, initial=_initial_from(request.POST))
    else:
        form = ExportForm(request.POST or None, instance=export, user=request.user)
        if request.method == "POST" and "preview" in request.POST:
            preview = _preview(form)
        elif request.method == "POST" and form.is_valid():
            adding = export.pk is None
            try:
                saved = services.export_save(
                    export=form.save(commit=False),
                    segments=form.cleaned_data["segments"],
                    user=request.user,
                )
            except services.ExportNameTaken:
                form.add_error("name", _("An export with this name already exists."))
            except ConnectionGone:
                form.add_error("connection", _("That connection was removed meanwhile."))
            except Export.DoesNotExist:
                messages.info(request, _("That export was removed meanwhile."))
                return redirect("exports:list")
            else:
                messages.success(request, _saved_message(saved, adding, reattaching))
                return redirect("exports:list")
    selected = _selected_connection_id(form)
    choices, total = selectors.connection_choices(request.user, search=connection_query)
    context = {
        "form": form,
        "export": export,
        "preview": preview,
        "connection_query": connection_query,
        "choices": _with_selected(choices, form, selected),
        "choices_total": total,
        "selected": selected,
    }
    return render(request, "exports/form.html", context)


def _saved_message(export: Export, adding: bool, reattaching: bool) -> str:
    """What saving did: added, reattached (an inactive export got a connection), or saved."""
    if adding:
        return _("Export “%s” was added.") % export.name
    if reattaching and export.connection_id is not None:
        return _(
            "Export “%(name)s” was reattached to “%(connection)s”. It runs on its schedule again."
        ) % {"name": export.name, "connection": export.connection.display_name}
    return _("Export “%s” was saved.") % export.name


def _preview(form: ExportForm) -> dict | None:
    """The files a run of the form's export would write (nothing saved, nothing sent)."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    return runs.preview(
        name=data["name"],
        connection=data.get("connection"),
        segments=data["segments"],
        fields=list(data["fields"]),
    )


def _selected_connection_id(form: ExportForm) -> str:
    value = form["connection"].value()
    return str(value) if value not in (None, "") else ""


def _with_selected(choices: list, form: ExportForm, selected: str) -> list:
    """Keep the chosen connection among the options even when the search hides it."""
    if not selected or any(str(c.pk) == selected for c in choices):
        return choices
    chosen = (
        form.fields["connection"].queryset.filter(pk=selected).first() if is_id(selected) else None
    )
    return [chosen, *choices] if chosen else choices


@role_required(Role.CONTRIBUTOR)
@require_http_methods(["GET", "HEAD", "POST"])
def export_new(request: HttpRequest) -> HttpResponse:
    return _edit_form(request, Export())


def _manageable_export(request: HttpRequest, pk: int) -> Export:
    export = get_object_or_404(Export.objects.select_related("connection"), pk=pk)
    if not selectors.may_manage_export(request.user, export):
        raise PermissionDenied
    return export


@role_required(Role.CONTRIBUTOR)
@require_http_methods(["GET", "HEAD", "POST"])
def export_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit_form(request, _manageable_export(request, pk))


@role_required(Role.VIEWER)
@require_http_methods(["GET", "HEAD"])
def export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """An export's settings, read-only: for whoever may see it but not manage it (and a
    way to Edit for whoever may)."""
    export = get_object_or_404(
        Export.objects.select_related("connection", "created_by", "last_run"), pk=pk
    )
    context = {
        "export": export,
        "segments": export.segments.order_by("name"),
        "fields": [CUSTOMER_FIELDS.get(key, key) for key in export.fields],
        "may_manage": selectors.may_manage_export(request.user, export),
    }
    return render(request, "exports/view.html", context)


@role_required(Role.CONTRIBUTOR)
@require_http_methods(["GET", "HEAD"])
def connection_options(request: HttpRequest) -> HttpResponse:
    """The connection choices matching a search, for the Add export form's search-as-you-type."""
    query = request.GET.get("connection_q", "")[:100]
    if not wants_fragment(request):
        return redirect(f"{reverse('exports:new')}?{urlencode({'connection_q': query})}")
    form = ExportForm(user=request.user, initial={"connection": request.GET.get("connection")})
    selected = _selected_connection_id(form)
    choices, total = selectors.connection_choices(request.user, search=query)
    context = {
        "form": form,
        "connection_query": query,
        "choices": _with_selected(choices, form, selected),
        "choices_total": total,
        "selected": selected,
        "count_oob": True,  # the count goes to the form's live region, out of band
    }
    return render_page(request, "exports/form.html", context, fragment="options")


@role_required(Role.CONTRIBUTOR)
@require_http_methods(["GET", "HEAD", "POST"])
def export_disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    export = _manageable_export(request, pk)
    if request.method == "POST":
        if services.export_disconnect(ids=[export.pk], user=request.user):
            messages.success(
                request,
                _(
                    "Export “%s” was disconnected. It keeps its settings and runs again "
                    "once another connection is attached."
                )
                % export.name,
            )
        else:
            messages.info(request, _("Export “%s” had no connection.") % export.name)
        return redirect("exports:list")
    connection = export.connection  # None when already disconnected: the page says ""
    question = _(
        "Disconnect “%(name)s” from “%(connection)s”? It keeps its payload and schedule "
        "but does not run until another connection is attached to it."
    ) % {"name": export.name, "connection": connection.display_name if connection else ""}
    return render_confirm(
        request,
        title=_("Disconnect export"),
        question=question,
        confirm=_("Disconnect"),
        cancel_url=reverse("exports:list"),
    )


@role_required(Role.CONTRIBUTOR)
@require_http_methods(["GET", "HEAD", "POST"])
def export_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST" and not Export.objects.filter(pk=pk).exists():
        messages.info(request, _("That export was already removed."))
        return redirect("exports:list")
    export = _manageable_export(request, pk)
    if request.method == "POST":
        services.export_remove(export_id=export.pk, user=request.user)
        messages.success(request, _("Export “%s” was removed.") % export.name)
        return redirect("exports:list")
    question = _(
        "Remove “%(name)s”? Its payload and schedule are deleted. This cannot be undone."
    ) % {"name": export.name}
    return render_confirm(
        request,
        title=_("Remove export"),
        question=question,
        confirm=_("Remove"),
        cancel_url=reverse("exports:list"),
        danger=True,
    )


@role_required(Role.CONTRIBUTOR)
@require_http_methods(["POST"])
def export_disconnect_selected(request: HttpRequest) -> HttpResponse:
    """Disconnect several exports at once from the Exports page (all or nothing): admins
    any, contributors those they may manage (a selection with any other changes nothing)."""
    raw_ids = request.POST.getlist("export")
    ids = sorted({int(raw) for raw in raw_ids}) if all(is_id(raw) for raw in raw_ids) else []
    selectable = Export.objects.filter(connection__isnull=False)
    condition = selectors.manageable_condition(request.user)
    if condition is not None:
        selectable = selectable.filter(condition)
    if not raw_ids:
        messages.error(request, _("Select at least one export to disconnect."))
    elif not ids or selectable.filter(pk__in=ids).count() != len(ids):
        messages.error(
            request,
            _(
                "Some of the selected exports no longer exist, have no connection or are "
                "not yours to change. Nothing was changed; the list is up to date now."
            ),
        )
    else:
        count = services.export_disconnect(ids=ids, user=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)d export was disconnected. It keeps its settings.",
                "%(count)d exports were disconnected. They keep their settings.",
                count,
            )
            % {"count": count},
        )
    return redirect(_safe_next(request, reverse("exports:list")))


def _safe_next(request: HttpRequest, default: str) -> str:
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    return default


@role_required(Role.CONTRIBUTOR)
@require_http_methods(["POST"])
def export_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Run now: queue a run (a background task) and show the export's runs."""
    export = _manageable_export(request, pk)
    try:
        runs.run_request(export=export, user=request.user)
    except runs.RunNotPossible as refused:
        messages.error(request, str(refused))
        return redirect(_safe_next(request, reverse("exports:list")))
    messages.success(request, _("A run of “%s” was queued.") % export.name)
    return redirect("exports:runs", pk=export.pk)


@role_required(Role.ADMIN)
@require_http_methods(["POST"])
def export_run_selected(request: HttpRequest) -> HttpResponse:
    """Admins: run several exports from the Exports page; each that cannot run says why."""
    raw_ids = request.POST.getlist("export")
    ids = sorted({int(raw) for raw in raw_ids if is_id(raw)})
    if not ids:
        messages.error(request, _("Select at least one export to run."))
        return redirect(_safe_next(request, reverse("exports:list")))
    queued, refused = 0, []
    for export in Export.objects.filter(pk__in=ids).select_related("connection").order_by("pk"):
        try:
            runs.run_request(export=export, user=request.user)
        except runs.RunNotPossible as reason:
            refused.append(f"{export.name}: {reason}")
        else:
            queued += 1
    if queued:
        messages.success(
            request,
            ngettext("%(count)d run was queued.", "%(count)d runs were queued.", queued)
            % {"count": queued},
        )
    for line in refused:
        messages.error(request, line)
    return redirect(_safe_next(request, reverse("exports:list")))


@role_required(Role.VIEWER)
@require_http_methods(["GET", "HEAD"])
def export_runs(request: HttpRequest, pk: int) -> HttpResponse:
    """The run history of one export, newest first."""
    export = get_object_or_404(Export.objects.select_related("connection"), pk=pk)
    history = export.runs.select_related("requested_by").order_by("-queued_at", "-pk")
    page = paginate(request, history, 50)
    for run in page.object_list:
        run.message = runs.failure_message(run)
    context = {
        "export": export,
        "page": page,
        "may_manage": selectors.may_manage_export(request.user, export),
        "unavailable": runs.delivery_unavailable(export.connection),
    }
    return render(request, "exports/runs.html", context)


@role_required(Role.CONTRIBUTOR)
@require_http_methods(["POST"])
def run_cancel(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    export = _manageable_export(request, pk)
    run = get_object_or_404(ExportRun, pk=run_pk, export=export)
    if runs.run_cancel(run=run, user=request.user):
        messages.success(request, _("The run was cancelled."))
    else:
        messages.info(request, _("That run had already ended."))
    return redirect("exports:runs", pk=export.pk)
