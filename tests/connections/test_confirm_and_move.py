"""The guided Remove dialog asks before it removes or moves, names what it changed and
where, and moves exports and enrichments to another connection, all or nothing."""

import pytest

from connections_admin.accounts.roles import Role
from connections_admin.audit.models import AuditEntry
from connections_admin.connections.models import UseCount
from connections_admin.connections.sharing import Audience, Sharing, set_sharing
from connections_admin.enrichments.models import Enrichment, EnrichmentStatus
from connections_admin.exports.models import Export
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def url(connection):
    return f"/admin/connections/{connection.pk}/remove/dependants/"


def ids(objects):
    return [obj.pk for obj in objects]


@pytest.fixture
def drop():
    """“Partner drop” (SFTP) with exports Alpha, Beta, Gamma; “New drop” another SFTP."""
    source = ConnectionFactory(display_name="Partner drop")
    exports = [ExportFactory(name=name, connection=source) for name in ("Alpha", "Beta", "Gamma")]
    target = ConnectionFactory(display_name="New drop")
    return source, exports, target


@pytest.fixture
def lead():
    """Two Leadspace connections, and enrichments X and Y on the first."""
    source = ConnectionFactory(display_name="Lead one", type_key="leadspace", values={"token": "t"})
    target = ConnectionFactory(display_name="Lead two", type_key="leadspace", values={"token": "t"})
    enrichments = [EnrichmentFactory(name=f"Enrichment {n}", connection=source) for n in "XY"]
    return source, enrichments, target


def counts(connection):
    return dict(UseCount.objects.filter(connection=connection).values_list("kind", "n"))


# Remove asks first ---------------------------------------------------------------------


@pytest.mark.parametrize("how", ["row", "selected"])
def test_remove_asks_first_in_the_pane_and_removes_nothing(admin_client, drop, how):
    source, exports, _target = drop
    posted = (
        {"row_action": f"remove_exports:{exports[0].pk}"}
        if how == "row"
        else {"action": "remove_exports", "export": ids(exports[:2])}
    )
    response = admin_client.post(url(source), posted, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'role="alertdialog"' in html
    assert 'aria-labelledby="confirm-heading"' in html
    assert 'aria-describedby="confirm-description"' in html
    count = 1 if how == "row" else 2
    assert f"Remove {count} export{'s' if count > 1 else ''} from “Partner drop”?" in html
    assert "<li>Alpha</li>" in html
    assert ("<li>Beta</li>" in html) == (how == "selected")
    assert 'name="confirm" value="1"' in html
    assert ">Back</a>" in html
    # nothing was removed, nothing was audited, the list is not refreshed yet
    assert Export.objects.count() == 3
    assert not AuditEntry.objects.filter(action="export_removed").exists()
    assert "HX-Trigger" not in response


def test_without_javascript_the_whole_page_asks_then_the_answer_removes(admin_client, drop):
    source, exports, _target = drop
    response = admin_client.post(
        url(source), {"action": "remove_exports", "export": ids(exports[:2])}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html and 'role="alertdialog"' in html
    assert f'action="{url(source)}"' in html
    assert Export.objects.count() == 3

    response = admin_client.post(
        url(source),
        {"action": "remove_exports", "export": ids(exports[:2]), "confirm": "1"},
        follow=True,
    )
    assert response.redirect_chain == [(url(source), 302)]
    assert "2 exports were removed from “Partner drop”: Alpha, Beta." in response.content.decode()
    assert list(Export.objects.values_list("name", flat=True)) == ["Gamma"]


def test_the_question_names_five_and_counts_the_rest(admin_client):
    source = ConnectionFactory(display_name="Many")
    exports = [ExportFactory(name=f"Export {i}", connection=source) for i in range(1, 9)]
    html = admin_client.post(
        url(source), {"action": "remove_exports", "export": ids(exports)}, headers=HTMX
    ).content.decode()
    assert "Remove 8 exports from “Many”?" in html
    assert html.count("<li>Export ") == 5 and "<li>Export 5</li>" in html
    assert "And 3 more." in html
    assert html.count('type="hidden" name="export"') == 8

    html = admin_client.post(
        url(source),
        {"action": "remove_exports", "export": ids(exports), "confirm": "1"},
        headers=HTMX,
    ).content.decode()
    assert (
        "8 exports were removed from “Many”: Export 1, Export 2, Export 3, Export 4, "
        "Export 5 and 3 more." in html
    )


def test_a_stale_question_removes_nothing(admin_client, drop):
    source, exports, _target = drop
    admin_client.post(url(source), {"action": "remove_exports", "export": ids(exports[:2])})
    Export.objects.filter(pk=exports[1].pk).update(connection=None)  # meanwhile
    html = admin_client.post(
        url(source),
        {"action": "remove_exports", "export": ids(exports[:2]), "confirm": "1"},
        headers=HTMX,
    ).content.decode()
    assert "Nothing was changed" in html
    assert Export.objects.count() == 3


def test_removed_and_disconnected_entries_name_the_connection(admin_client, drop, lead):
    source, exports, _target = drop
    admin_client.post(url(source), {"action": "disconnect_exports", "export": [exports[0].pk]})
    admin_client.post(
        url(source), {"action": "remove_exports", "export": [exports[1].pk], "confirm": "1"}
    )
    disconnected = AuditEntry.objects.get(action="export_disconnected")
    removed = AuditEntry.objects.get(action="export_removed")
    on_drop = [{"change": "on_connection", "connection": "Partner drop"}]
    assert (disconnected.object_name, disconnected.changes) == ("Alpha", on_drop)
    assert (removed.object_name, removed.changes) == ("Beta", on_drop)
    assert removed.described_changes() == ["On “Partner drop”"]

    enrichment_source, enrichments, _ = lead
    admin_client.post(
        url(enrichment_source),
        {"action": "deactivate_enrichments", "enrichment": [enrichments[0].pk]},
    )
    admin_client.post(
        url(enrichment_source),
        {"action": "remove_enrichments", "enrichment": [enrichments[1].pk], "confirm": "1"},
    )
    for action, name in [
        ("enrichment_deactivated", "Enrichment X"),
        ("enrichment_removed", "Enrichment Y"),
    ]:
        entry = AuditEntry.objects.get(action=action)
        assert (entry.object_name, entry.described_changes()) == (name, ["On “Lead one”"])


def test_an_export_removed_without_a_connection_has_no_connection_to_name(admin_user):
    from connections_admin.exports import services

    export = ExportFactory(name="Loose", connection=None)
    services.export_remove(export_id=export.pk, user=admin_user)
    assert AuditEntry.objects.get(action="export_removed").changes == []


def test_disconnect_and_deactivate_messages_name_them_and_the_connection(admin_client, lead):
    source, enrichments, _target = lead
    html = admin_client.post(
        url(source),
        {"action": "deactivate_enrichments", "enrichment": ids(enrichments)},
        headers=HTMX,
    ).content.decode()
    assert (
        "2 enrichments were deactivated: Enrichment X, Enrichment Y. They no longer use "
        "“Lead one”." in html
    )


# Move ----------------------------------------------------------------------------------


def test_the_dialog_offers_a_labelled_choice_of_targets(admin_client, drop, lead):
    source, _exports, target = drop
    lead_source, _enrichments, lead_target = lead
    html = admin_client.get(url(source)).content.decode()
    assert '<label for="exports-target">Move to</label>' in html
    assert f'<option value="{target.pk}">New drop (SFTP)</option>' in html
    assert f'<option value="{source.pk}">' not in html  # not to itself
    assert f'<option value="{lead_target.pk}">' not in html  # no enrichment connection
    assert "Move selected exports" in html

    html = admin_client.get(url(lead_source)).content.decode()
    assert f'<option value="{lead_target.pk}">Lead two (Leadspace)</option>' in html
    assert f'<option value="{target.pk}">' not in html  # only the same type
    assert "Move selected enrichments" in html


def test_moving_exports_asks_then_moves_them_with_an_entry_each(admin_client, drop):
    source, exports, target = drop
    posted = {"action": "move_exports", "export": ids(exports[:2]), "target": target.pk}
    response = admin_client.post(url(source), posted, headers=HTMX)
    html = response.content.decode()
    assert 'role="alertdialog"' in html and "Move 2 exports to “New drop”?" in html
    assert "<li>Alpha</li>" in html and "<li>Beta</li>" in html
    assert f'name="target" value="{target.pk}"' in html
    assert Export.objects.filter(connection=target).count() == 0

    response = admin_client.post(url(source), {**posted, "confirm": "1"}, headers=HTMX)
    html = response.content.decode()
    assert "2 exports were moved from “Partner drop” to “New drop”: Alpha, Beta." in html
    assert "HX-Trigger" in response
    assert set(Export.objects.filter(connection=target).values_list("name", flat=True)) == {
        "Alpha",
        "Beta",
    }
    entries = AuditEntry.objects.filter(action="export_moved").order_by("object_name")
    assert [(e.object_name, e.described_changes()) for e in entries] == [
        ("Alpha", ["Moved from “Partner drop” to “New drop”"]),
        ("Beta", ["Moved from “Partner drop” to “New drop”"]),
    ]
    assert counts(source).get("exports") == 1 and counts(target).get("exports") == 2


def test_moving_enrichments_keeps_them_active(admin_client, lead):
    source, enrichments, target = lead
    posted = {
        "action": "move_enrichments",
        "enrichment": ids(enrichments),
        "target": target.pk,
        "confirm": "1",
    }
    html = admin_client.post(url(source), posted, headers=HTMX).content.decode()
    assert (
        "2 enrichments were moved from “Lead one” to “Lead two”: Enrichment X, Enrichment Y."
        in html
    )
    assert "Nothing uses this connection any more" in html
    for enrichment in Enrichment.objects.all():
        assert enrichment.connection == target and enrichment.status == EnrichmentStatus.ACTIVE
    assert AuditEntry.objects.filter(action="enrichment_moved").count() == 2
    assert counts(target).get("enrichments") == 2 and not counts(source).get("enrichments")


def test_move_is_all_or_nothing(admin_client, drop):
    source, exports, target = drop
    foreign = ExportFactory(name="Foreign", connection=ConnectionFactory())
    for confirm in ("", "1"):
        html = admin_client.post(
            url(source),
            {
                "action": "move_exports",
                "export": [exports[0].pk, foreign.pk],
                "target": target.pk,
                "confirm": confirm,
            },
            headers=HTMX,
        ).content.decode()
        assert "Nothing was changed" in html and 'role="alertdialog"' not in html
    assert Export.objects.filter(connection=source).count() == 3
    assert not Export.objects.filter(connection=target).exists()
    assert not AuditEntry.objects.filter(action="export_moved").exists()


def test_move_all_moves_every_one(admin_client):
    source = ConnectionFactory(display_name="Full")
    target = ConnectionFactory(display_name="Empty")
    Export.objects.bulk_create(
        Export(name=f"Bulk {i:03d}", connection=source, fields=["email"], schedule="hourly")
        for i in range(30)
    )
    html = admin_client.get(url(source)).content.decode()
    assert "Move all 30 exports" in html
    posted = {"action": "move_all_exports", "target": target.pk}
    html = admin_client.post(url(source), posted, headers=HTMX).content.decode()
    assert "Move 30 exports to “Empty”?" in html and "And 25 more." in html
    assert not Export.objects.filter(connection=target).exists()
    html = admin_client.post(url(source), {**posted, "confirm": "1"}, headers=HTMX).content
    assert "30 exports were moved from “Full” to “Empty”" in html.decode()
    assert Export.objects.filter(connection=target).count() == 30
    assert AuditEntry.objects.filter(action="export_moved").count() == 30


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("sftp", id="wrong-type"),
        pytest.param("self", id="itself"),
        pytest.param("", id="none"),
        pytest.param("abc", id="not-a-number"),
        pytest.param("9" * 40, id="huge"),
        pytest.param("999999", id="unknown"),
    ],
)
def test_a_target_that_cannot_take_them_is_refused(admin_client, lead, target):
    source, enrichments, _lead_target = lead
    target = {"sftp": ConnectionFactory().pk, "self": source.pk}.get(target, target)
    for confirm in ("", "1"):
        response = admin_client.post(
            url(source),
            {
                "action": "move_enrichments",
                "enrichment": ids(enrichments),
                "target": target,
                "confirm": confirm,
            },
            headers=HTMX,
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "Choose one of the listed connections to move them to. Nothing was moved." in html
    assert Enrichment.objects.filter(connection=source).count() == 2


def test_a_target_removed_meanwhile_moves_nothing(admin_client, drop):
    source, exports, target = drop
    posted = {"action": "move_exports", "export": [exports[0].pk], "target": target.pk}
    admin_client.post(url(source), posted, headers=HTMX)
    target.delete()  # meanwhile
    html = admin_client.post(url(source), {**posted, "confirm": "1"}, headers=HTMX).content
    assert "Choose one of the listed connections" in html.decode()
    assert Export.objects.filter(connection=source).count() == 3


@pytest.mark.parametrize(
    ("source_audience", "target_audience", "warned"),
    [
        (Audience.CONTRIBUTORS, Audience.ADMINS, "no longer"),
        (Audience.CONTRIBUTORS, Audience.CHOSEN, "may no longer"),
        (Audience.CONTRIBUTORS, Audience.CONTRIBUTORS, None),
        (Audience.ADMINS, Audience.ADMINS, None),
        (Audience.ADMINS, Audience.CONTRIBUTORS, None),
    ],
)
def test_the_question_warns_when_contributors_lose_their_exports(
    admin_client, drop, make_user, source_audience, target_audience, warned
):
    source, exports, target = drop
    chosen = make_user(Role.CONTRIBUTOR, "chosen-one")
    for connection, audience in ((source, source_audience), (target, target_audience)):
        users = [chosen] if audience is Audience.CHOSEN else []
        set_sharing(connection, Sharing(audience, users=users))
    html = admin_client.post(
        url(source),
        {"action": "move_exports", "export": [exports[0].pk], "target": target.pk},
        headers=HTMX,
    ).content.decode()
    assert "Move 1 export to “New drop”?" in html
    if warned == "no longer":
        assert (
            "Contributors will no longer be able to manage these exports: “New drop” is not "
            "shared with them." in html
        )
    elif warned:
        assert "Some contributors may no longer be able to manage these exports" in html
    else:
        assert "manage these exports" not in html


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, None])
def test_only_admins_move_or_remove(as_role, drop, role):
    source, exports, target = drop
    client = as_role(role)
    for posted in (
        {"action": "move_exports", "export": ids(exports), "target": target.pk, "confirm": "1"},
        {"action": "remove_exports", "export": ids(exports), "confirm": "1"},
        {"action": "move_all_exports", "target": target.pk, "confirm": "1"},
    ):
        response = client.post(url(source), posted)
        assert response.status_code in (302, 403)
    assert Export.objects.filter(connection=source).count() == 3


def test_the_move_list_shows_fifty_connections_and_a_search_narrows_it(admin_client):
    from tests.factories import ConnectionFactory, ExportFactory

    source = ConnectionFactory(display_name="Source drop")
    ExportFactory(connection=source, name="Mover")
    for n in range(60):
        ConnectionFactory(display_name=f"Target {n:02d}")
    url = f"/admin/connections/{source.pk}/remove/dependants/"
    html = admin_client.get(url).content.decode()
    select = html[html.index('name="target"') :].split("</select>")[0]
    assert select.count("<option") == 50
    assert "Showing the first 50 connections by name" in html
    html = admin_client.get(url, {"target_q": "Target 07"}).content.decode()
    select = html[html.index('name="target"') :].split("</select>")[0]
    assert select.count("<option") == 1 and "Target 07" in select
    assert "Showing the first" not in html
