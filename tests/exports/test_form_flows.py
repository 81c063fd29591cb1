"""The Add/Edit export form's connection search, schedule fields, and what saving says."""

import re

import pytest

from connections_admin.accounts.roles import Role
from connections_admin.connections.models import Connection
from connections_admin.connections.sharing import Audience, Sharing, set_sharing
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def contributor(as_role):
    return as_role(Role.CONTRIBUTOR)


def shared(name):
    connection = ConnectionFactory(display_name=name)
    set_sharing(connection, Sharing(Audience.CONTRIBUTORS))
    return connection


# --- item 15: the connection search ------------------------------------------------------


def test_search_includes_the_options_region_not_a_selector_that_may_match_nothing(contributor):
    shared("Partner drop")
    html = contributor.get("/exports/new/").content.decode()
    search = re.search(r'<input type="search" id="connection-search"[^>]*>', html).group(0)
    # "[name=connection]:checked" matches nothing until one is checked: htmx logs an error
    # on every keystroke. The options region always exists; htmx includes its checked radio.
    assert 'data-hx-include="#connection-options"' in search
    assert ":checked" not in search


def test_only_the_count_is_a_live_region_not_the_option_list(contributor):
    for name in ("Drop one", "Drop two", "Other"):
        shared(name)
    html = contributor.get("/exports/new/").content.decode()
    options = re.search(r'<div id="connection-options"[^>]*>', html).group(0)
    assert "aria-live" not in options and "role=" not in options
    count = re.search(r'<p id="connection-count"[^>]*>', html).group(0)
    assert 'role="status"' in count
    fragment = contributor.get(
        "/exports/connection-options/", {"connection_q": "Drop"}, headers=HTMX
    ).content.decode()
    # the count travels out of band into the live region; the list is swapped silently
    oob = re.search(r'<span id="connection-count"[^>]*>([^<]*)</span>', fragment)
    assert oob and 'data-hx-swap-oob="innerHTML"' in oob.group(0)
    assert oob.group(1).strip() == "2 connections found"
    one = contributor.get(
        "/exports/connection-options/", {"connection_q": "Other"}, headers=HTMX
    ).content.decode()
    assert "1 connection found" in one
    none = contributor.get(
        "/exports/connection-options/", {"connection_q": "zzz"}, headers=HTMX
    ).content.decode()
    assert "0 connections found" in none


def test_count_is_the_total_not_the_first_twenty(contributor):
    Connection.objects.bulk_create(
        Connection(display_name=f"Drop {i:02d}", type_key="sftp") for i in range(25)
    )
    for connection in Connection.objects.all():
        set_sharing(connection, Sharing(Audience.CONTRIBUTORS))
    fragment = contributor.get(
        "/exports/connection-options/", {"connection_q": "Drop"}, headers=HTMX
    ).content.decode()
    assert "25 connections found" in fragment


# --- item 14: the schedule fields ------------------------------------------------------------


def test_schedule_is_one_group_named_once(contributor):
    html = contributor.get("/exports/new/").content.decode()
    fieldset = html[html.index('<fieldset class="schedule"') :].split("</fieldset>")[0]
    assert re.findall(r"<legend>([^<]*)</legend>", fieldset) == ["Schedule"]
    assert "Schedule:" not in html  # no label repeating the legend
    assert fieldset.count('type="radio" name="schedule"') == 4


def test_time_and_day_say_which_schedules_use_them(contributor):
    html = contributor.get("/exports/new/").content.decode()
    time = re.search(
        r'<div class="field" data-schedules="([^"]*)">\s*<label for="id_schedule_time"', html
    )
    day = re.search(
        r'<div class="field" data-schedules="([^"]*)">\s*<label for="id_schedule_weekday"', html
    )
    assert time.group(1) == "daily weekly" and day.group(1) == "weekly"
    # Without JavaScript both are shown, with a hint; the script hides the hint and the
    # fields the chosen schedule does not use.
    assert "The time is used by daily and weekly schedules, the day by weekly ones." in html
    assert "data-schedule-hint" in html
    assert re.search(r'<script src="/static/js/schedule-fields\.js[^"]*" defer>', html)


# --- item 14: what saving says -----------------------------------------------------------------


def test_reattaching_an_inactive_export_says_so(contributor):
    from django.contrib.messages import get_messages

    from tests.factories import ExportFactory, SegmentFactory

    segment = SegmentFactory(name="Churn risk")
    export = ExportFactory(connection=None, name="Keep me")
    export.segments.add(segment)
    other = shared("Another drop")
    response = contributor.post(
        f"/exports/{export.pk}/edit/",
        {
            "connection": other.pk,
            "name": "Keep me",
            "segments": [segment.pk],
            "fields": ["email"],
            "schedule": "hourly",
        },
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Export “Keep me” was reattached to “Another drop”. It runs on its schedule again."
    ]
    # an edit of an active export still says it was saved
    response = contributor.post(
        f"/exports/{export.pk}/edit/",
        {
            "connection": other.pk,
            "name": "Keep me",
            "segments": [segment.pk],
            "fields": ["email"],
            "schedule": "daily",
            "schedule_time": "06:00",
        },
    )
    assert [str(m) for m in get_messages(response.wsgi_request)][
        -1
    ] == "Export “Keep me” was saved."
