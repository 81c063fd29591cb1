"""A third kind of thing that uses a connection joins the Remove dialog by registering.

``tests/dependant_kind`` (installed by the test settings only) is a model with a
``connection`` foreign key; this module registers it as a dependant kind. Nothing under
``connections_admin/connections/`` names it, yet the dialog lists it, it blocks removal,
and it can be detached and removed from the dialog.
"""

import pytest
from django.utils.translation import gettext_lazy, ngettext_lazy

from connections_admin.connections.dependants import DependantKind, KindWords, kinds
from connections_admin.connections.models import Connection
from tests.dependant_kind.models import Pipeline
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _detach(*, ids, user, connection_id):
    return Pipeline.objects.filter(pk__in=ids, connection_id=connection_id).update(connection=None)


def _remove(*, objects, user):
    return objects.delete()[0]


PIPELINES = DependantKind(
    key="pipeline",
    plural_key="pipelines",
    model=Pipeline,
    listing=lambda connection: connection.pipelines.order_by("name"),
    detail=lambda pipeline: f"stage of {pipeline.name}",
    detach_many=_detach,
    remove_many=_remove,
    detach_action="unplug",
    words=KindWords(
        name=gettext_lazy("Pipeline"),
        detail=gettext_lazy("Stage"),
        counted=ngettext_lazy("%(count)d pipeline", "%(count)d pipelines", "count"),
        list_heading=gettext_lazy("Pipelines using this connection"),
        and_more=ngettext_lazy("And %(counter)s pipeline", "And %(counter)s pipelines", "counter"),
        uses=ngettext_lazy(
            "%(counter)s pipeline uses this connection",
            "%(counter)s pipelines use this connection",
            "counter",
        ),
        detach_help=gettext_lazy("Unplugging keeps a pipeline."),
        detach=gettext_lazy("Unplug"),
        detach_selected=gettext_lazy("Unplug selected pipelines"),
        remove_selected=gettext_lazy("Remove selected pipelines"),
        detach_all=ngettext_lazy(
            "Unplug the %(counter)s pipeline", "Unplug all %(counter)s pipelines", "counter"
        ),
        select_all=gettext_lazy("Select all pipelines on this page"),
        select_first=gettext_lazy("Select at least one pipeline first."),
        detached=ngettext_lazy(
            "%(count)d pipeline was unplugged.", "%(count)d pipelines were unplugged.", "count"
        ),
        removed=ngettext_lazy(
            "%(count)d pipeline was removed.", "%(count)d pipelines were removed.", "count"
        ),
    ),
)


@pytest.fixture
def pipelines_registered():
    kinds.register(PIPELINES)
    yield PIPELINES
    kinds.unregister(PIPELINES.key)


@pytest.fixture
def used(pipelines_registered):
    connection = ConnectionFactory(display_name="Plumbing")
    pipes = [Pipeline.objects.create(name=n, connection=connection) for n in ("Alpha", "Beta")]
    return connection, pipes


def test_the_remove_pane_names_the_pipelines_and_refuses(admin_client, used):
    connection, _pipes = used
    url = f"/admin/connections/{connection.pk}/remove/"
    html = admin_client.get(url, headers=HTMX).content.decode()
    assert "it is used by 2 pipelines" in html
    assert "Pipelines using this connection" in html
    assert "<li>Alpha</li>" in html and "<li>Beta</li>" in html

    admin_client.post(url, headers=HTMX)
    assert Connection.objects.filter(pk=connection.pk).exists()


def test_the_dialog_lists_them_with_their_own_words(admin_client, used):
    connection, pipes = used
    html = admin_client.get(f"/admin/connections/{connection.pk}/remove/dependants/").content
    html = html.decode()
    assert "2 pipelines use this connection" in html
    assert "stage of Alpha" in html
    assert f'name="row_action" value="unplug_pipelines:{pipes[0].pk}"' in html
    assert f'name="pipeline" value="{pipes[1].pk}"' in html
    assert "Unplug selected pipelines" in html


def test_they_can_be_detached_and_removed_then_the_connection_goes(admin_client, used):
    connection, pipes = used
    url = f"/admin/connections/{connection.pk}/remove/dependants/"

    html = admin_client.post(
        url, {"row_action": f"unplug_pipelines:{pipes[0].pk}"}, headers=HTMX
    ).content.decode()
    assert "1 pipeline was unplugged. From “Plumbing”: Alpha." in html
    assert Pipeline.objects.get(pk=pipes[0].pk).connection_id is None

    html = admin_client.post(
        url, {"action": "remove_pipelines", "pipeline": [pipes[1].pk]}, headers=HTMX
    ).content.decode()
    assert "Remove 1 pipeline from “Plumbing”?" in html  # asked first, in generic words
    assert Pipeline.objects.filter(pk=pipes[1].pk).exists()
    html = admin_client.post(
        url,
        {"action": "remove_pipelines", "pipeline": [pipes[1].pk], "confirm": "1"},
        headers=HTMX,
    ).content.decode()
    assert "1 pipeline was removed from “Plumbing”: Beta." in html
    assert not Pipeline.objects.filter(pk=pipes[1].pk).exists()
    assert "Nothing uses this connection any more" in html

    admin_client.post(f"/admin/connections/{connection.pk}/remove/", headers=HTMX)
    assert not Connection.objects.filter(pk=connection.pk).exists()


def test_without_its_registration_the_kind_is_unknown_to_the_dialog(admin_client):
    connection = ConnectionFactory()
    Pipeline.objects.create(name="Alpha", connection=connection)
    html = admin_client.get(f"/admin/connections/{connection.pk}/remove/dependants/").content
    assert b"pipeline" not in html


def test_a_kind_that_declares_no_move_offers_none(admin_client, used):
    connection, pipes = used
    other = ConnectionFactory(display_name="Other")
    url = f"/admin/connections/{connection.pk}/remove/dependants/"
    html = admin_client.get(url).content.decode()
    assert 'name="target"' not in html and 'value="move_pipelines"' not in html
    html = admin_client.post(
        url,
        {"action": "move_pipelines", "pipeline": [pipes[0].pk], "target": other.pk, "confirm": 1},
        headers=HTMX,
    ).content.decode()
    assert "Choose what to do" in html
    assert Pipeline.objects.get(pk=pipes[0].pk).connection_id == connection.pk
