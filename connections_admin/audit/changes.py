"""What changed, kept as data and said in the reader's language.

An entry's ``changes`` is a list of small records, each a dict whose ``"change"`` names
its kind: ``{"change": "field_changed", "field": "name", "old": "A", "new": "B"}``. They
become sentences only when shown (:func:`describe`), in the active language, so an entry
written by an admin who reads English reads in Kazakh for one who reads Kazakh.

The kinds are one registry, kind -> a function that says a record. This module declares
the generic ones (a field of an export, an enrichment or a connection; the connection an
export or enrichment was on; a move from one connection to another). An app registers the
kinds only its own words can say from its ``AppConfig.ready()`` (connections: a setting of
a connection type, a secret, who can use it, why a check failed).

Records never hold a secret value: a secret's change is recorded by the field's name
only, and callers leave out the values of fields that hold personal data (e-mail
addresses). Recorded values are capped at :data:`MAX_VALUE` characters, so an entry
stays small whatever was typed. Entries written before the records existed (plain
strings in the writer's language) are shown as they are.
"""

from collections.abc import Callable, Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_VALUE = 100  # characters of an old or new value kept in a record
CHANGE = "change"  # the key that names a record's kind

Describe = Callable[[Mapping], str]
_KINDS: dict[str, Describe] = {}


def register(kind: str, describe_record: Describe) -> None:
    """Declare how records of ``kind`` are said; a kind belongs to one function."""
    existing = _KINDS.get(kind)
    if existing is not None and existing is not describe_record:
        raise ValueError(f"Change kind {kind!r} is already registered.")
    _KINDS[kind] = describe_record


def capped(value: object) -> str:
    """A value as it is recorded: text, at most MAX_VALUE characters."""
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def record(kind: str, **values: object) -> dict:
    """A change record of ``kind``; its values are recorded as capped text (a number or
    None stays as it is)."""
    return {
        CHANGE: kind,
        **{
            name: value if isinstance(value, int | None) else capped(value)
            for name, value in values.items()
        },
    }


def describe(change: object) -> str:
    """One change said in the active language; an old plain string is returned as it is."""
    if isinstance(change, str):
        return change
    if not isinstance(change, Mapping):
        return str(change)
    kind = change.get(CHANGE)
    describe_record = _KINDS.get(kind)
    if describe_record is None:
        return str(kind or "")
    try:
        return describe_record(change)
    except (KeyError, LookupError, TypeError, ValueError):
        # A record this version cannot say (an app's kind changed shape): its kind's key,
        # rather than a page that fails.
        return str(kind)


def describe_all(changes: object) -> list[str]:
    """Every change of an entry, said; an entry's ``changes`` that is not a list says nothing."""
    if not isinstance(changes, list):
        return []
    return [text for text in (describe(change) for change in changes) if text]


def said_changed(label: object, change: Mapping, *, plain: object = None, shown=str) -> str:
    """ "<label> changed", with the old and the new value when the record has them.

    ``plain`` is the sentence without values (default "<label> changed"); ``shown`` turns
    a recorded value into what the reader sees (a choice's label, say).
    """
    if "old" not in change and "new" not in change:
        return str(plain) if plain is not None else _("%s changed") % label
    old, new = change.get("old") or "", change.get("new") or ""
    words = {"field": label, "old": shown(old), "new": shown(new)}
    if old and new:
        return _("%(field)s changed from “%(old)s” to “%(new)s”") % words
    if new:
        return _("%(field)s set to “%(new)s”") % words
    if old:
        return _("%(field)s cleared (it was “%(old)s”)") % words
    return str(plain) if plain is not None else _("%s changed") % label


# The fields of exports, enrichments and connections that edits name: field -> its label
# and the sentence said when no values are recorded.
FIELDS = {
    "name": (gettext_lazy("Name"), gettext_lazy("Name changed")),
    "display_name": (gettext_lazy("Display name"), gettext_lazy("Display name changed")),
    "connection": (gettext_lazy("Connection"), gettext_lazy("Connection changed")),
    "segment": (gettext_lazy("Customer data set"), gettext_lazy("Customer data set changed")),
    "segments": (gettext_lazy("Segments"), gettext_lazy("Segments changed")),
    "fields": (gettext_lazy("Fields"), gettext_lazy("Fields changed")),
    "schedule": (gettext_lazy("Schedule"), gettext_lazy("Schedule changed")),
}


def _field_changed(change: Mapping) -> str:
    label, plain = FIELDS[change["field"]]
    return said_changed(label, change, plain=plain)


def _on_connection(change: Mapping) -> str:
    return _("On “%(connection)s”") % {"connection": change["connection"]}


def _moved(change: Mapping) -> str:
    return _("Moved from “%(source)s” to “%(target)s”") % {
        "source": change["source"],
        "target": change["target"],
    }


def field_changed(field: str, *, old: object = None, new: object = None, values: bool = False):
    """A field of the object changed; with ``values`` its old and new value are recorded."""
    if field not in FIELDS:
        raise ValueError(f"Unknown field {field!r}: add it to audit.changes.FIELDS.")
    if values:
        return record("field_changed", field=field, old=old, new=new)
    return record("field_changed", field=field)


def on_connection(name: str) -> dict:
    """The connection an export or enrichment was on when this happened."""
    return record("on_connection", connection=name)


def moved(source: str, target: str) -> dict:
    return record("moved", source=source, target=target)


register("field_changed", _field_changed)
register("on_connection", _on_connection)
register("moved", _moved)
