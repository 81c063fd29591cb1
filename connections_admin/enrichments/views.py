"""The Enrichments page: everyone looks; contributors and admins change."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from connections_admin.accounts.permissions import role_required
from connections_admin.accounts.roles import Role
from connections_admin.connections.dependants import ConnectionGone
from connections_admin.core.confirm import render_confirm
from connections_admin.core.listing import render_list
from connections_admin.core.sorting import SortColumn

from . import services
from .forms import EnrichmentActivateForm, EnrichmentForm
from .models import Enrichment
from .selectors import enrichment_list as select_enrichments

SORT_COLUMNS = [
    SortColumn("name", gettext_lazy("Name"), ("name_sort",)),
    SortColumn("type", gettext_lazy("Type"), ("type_sort",)),
    SortColumn("connection", gettext_lazy("Connection"), ("connection_sort",)),
    SortColumn("status", gettext_lazy("Status"), ("status",)),
    SortColumn("segment", gettext_lazy("Customer data set"), ("segment__name",)),
    SortColumn("enriched", gettext_lazy("Enriched customers"), ("enriched_customers",)),
    SortColumn("created_by", gettext_lazy("Created by"), ("created_by__username",)),
]


@role_required(Role.VIEWER)
@require_http_methods(["GET", "HEAD"])
def enrichment_list(request: HttpRequest) -> HttpResponse:
    return render_list(
        request,
        "enrichments/list.html",
        title=_("Enrichments"),
        columns=SORT_COLUMNS,
        rows=lambda query: select_enrichments(search=query),
    )


def _edit_form(request: HttpRequest, enrichment: Enrichment) -> HttpResponse:
    inactive = enrichment.pk is not None and enrichment.connection_id is None
    form = EnrichmentForm(request.POST or None, instance=enrichment, user=request.user)
    if request.method == "POST" and form.is_valid():
        adding = enrichment.pk is None
        try:
            saved = services.enrichment_save(enrichment=form.save(commit=False), user=request.user)
        except services.EnrichmentNameTaken:
            form.add_error("name", _("An enrichment with this name already exists."))
        except ConnectionGone:
            form.add_error("connection", _("That connection was removed meanwhile."))
        except Enrichment.DoesNotExist:
            messages.info(request, _("That enrichment was removed meanwhile."))
            return redirect("enrichments:list")
        else:
            if inactive and saved.connection_id is not None:
                message = _activated(saved)
            elif adding:
                message = _("Enrichment “%s” was created.") % saved.name
            else:
                message = _("Enrichment “%s” was saved.") % saved.name
            messages.success(request, message)
            return redirect("enrichments:list")
    context = {
        "form": form,
        "enrichment": enrichment,
        # an inactive enrichment none of whose type's connections exists: say who sets one up
        "no_connection": inactive and not form.fields["connection"].queryset.exists(),
    }
    return render(request, "enrichments/form.html", context)


def _activated(enrichment: Enrichment) -> str:
    return _("Enrichment “%(name)s” was activated with “%(connection)s”.") % {
        "name": enrichment.name,
        "connection": enrichment.connection.display_name,
    }


@role_required(Role.CONTRIBUTOR)
@require_http_methods(["GET", "HEAD", "POST"])
def enrichment_new(request: HttpRequest) -> HttpResponse:
    return _edit_form(request, Enrichment())


@role_required(Role.CONTRIBUTOR)
@require_http_methods(["GET", "HEAD", "POST"])
def enrichment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit_form(request, get_object_or_404(Enrichment, pk=pk))


@role_required(Role.CONTRIBUTOR)
@require_http_methods(["GET", "HEAD", "POST"])
def enrichment_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    enrichment = get_object_or_404(Enrichment.objects.select_related("connection"), pk=pk)
    if request.method == "POST":
        if services.enrichment_deactivate(ids=[enrichment.pk], user=request.user):
            messages.success(
                request,
                _("Enrichment “%s” was deactivated. Attach a connection to activate it again.")
                % enrichment.name,
            )
        else:
            messages.info(request, _("Enrichment “%s” was already inactive.") % enrichment.name)
        return redirect("enrichments:list")
    question = _(
        "Deactivate “%(name)s”? It is detached from its connection and stops refreshing; "
        "it keeps its settings, and attaching a connection activates it again."
    ) % {"name": enrichment.name}
    return render_confirm(
        request,
        title=_("Deactivate enrichment"),
        question=question,
        confirm=_("Deactivate"),
        cancel_url=reverse("enrichments:list"),
    )


@role_required(Role.CONTRIBUTOR)
@require_http_methods(["GET", "HEAD", "POST"])
def enrichment_activate(request: HttpRequest, pk: int) -> HttpResponse:
    """Activate: attach a connection of its type, the one it had before offered first; or,
    when there is none, who can set one up."""
    enrichment = get_object_or_404(Enrichment, pk=pk)
    if enrichment.connection_id is not None:
        messages.info(request, _("Enrichment “%s” is already active.") % enrichment.name)
        return redirect("enrichments:list")
    form = EnrichmentActivateForm(request.POST or None, enrichment=enrichment, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.enrichment_activate(
                enrichment=enrichment, connection=form.cleaned_data["connection"], user=request.user
            )
        except ConnectionGone:
            form.add_error("connection", _("That connection was removed meanwhile."))
        except Enrichment.DoesNotExist:
            messages.info(request, _("That enrichment was removed meanwhile."))
            return redirect("enrichments:list")
        else:
            messages.success(request, _activated(saved))
            return redirect("enrichments:list")
    return render(request, "enrichments/activate.html", {"form": form, "enrichment": enrichment})


@role_required(Role.CONTRIBUTOR)
@require_http_methods(["GET", "HEAD", "POST"])
def enrichment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        name = Enrichment.objects.filter(pk=pk).values_list("name", flat=True).first()
        if name is None or not services.enrichment_remove(enrichment_id=pk, user=request.user):
            messages.info(request, _("That enrichment was already removed."))
        else:
            messages.success(request, _("Enrichment “%s” was removed.") % name)
        return redirect("enrichments:list")
    enrichment = get_object_or_404(Enrichment, pk=pk)
    return render_confirm(
        request,
        title=_("Remove enrichment"),
        question=_("Remove “%(name)s”? This cannot be undone.") % {"name": enrichment.name},
        confirm=_("Remove"),
        cancel_url=reverse("enrichments:list"),
        danger=True,
    )
