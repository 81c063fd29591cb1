"""The registry of connection types: registration checks, look-ups, entry points."""

import sys
import textwrap

import pytest
from django import forms

from connections_admin.connection_types.base import ConnectionType, Usage
from connections_admin.connection_types.registry import (
    ConnectionTypeRegistry,
    UnknownConnectionType,
    registry,
)

AZURE_KEYS = ["azure_blob_storage", "azure_data_lake_gen2", "azure_maps", "azure_synapse"]
ENRICHMENT_KEYS = {
    "leadspace",
    "experian",
    "here_technologies",
    "azure_maps",
    "sftp_custom_import",
    "dun_bradstreet",
    "liveramp_abilitec",
}


def make_type(class_name="DemoType", *, omit=(), **attrs):
    namespace = {
        "key": "demo_type",
        "name": "Demo",
        "description": "A demo connection type.",
        "used_for": frozenset({Usage.EXPORT}),
        "fields": {"token": forms.CharField(label="Token")},
        "secret_fields": frozenset({"token"}),
    }
    namespace.update(attrs)
    for name in omit:
        del namespace[name]
    return type(class_name, (ConnectionType,), namespace)


# --- registration --------------------------------------------------------------------------


def test_register_adds_the_type_and_get_returns_it():
    fresh = ConnectionTypeRegistry()
    demo = make_type()
    assert fresh.register(demo) is demo
    assert "demo_type" in fresh and fresh.get("demo_type") is demo and len(fresh) == 1


def test_registering_the_same_class_twice_is_harmless():
    fresh = ConnectionTypeRegistry()
    demo = make_type()
    fresh.register(demo)
    fresh.register(demo)
    assert len(fresh) == 1


def test_two_classes_with_the_same_key_raise_value_error():
    fresh = ConnectionTypeRegistry()
    first = make_type("FirstDemo")
    fresh.register(first)
    with pytest.raises(ValueError, match="'demo_type' is taken by FirstDemo"):
        fresh.register(make_type("SecondDemo"))
    assert fresh.get("demo_type") is first


def test_a_builtin_key_cannot_be_taken_by_another_class():
    with pytest.raises(ValueError, match="taken"):
        registry.register(make_type(key="sftp", name="Fake SFTP"))
    assert registry.get("sftp").__name__ == "Sftp"


@pytest.mark.parametrize("missing", ["key", "name", "description", "used_for"])
def test_a_class_missing_a_declaration_raises_type_error(missing):
    fresh = ConnectionTypeRegistry()
    with pytest.raises(TypeError, match=f"must declare '{missing}'"):
        fresh.register(make_type(omit=[missing]))
    assert len(fresh) == 0


@pytest.mark.parametrize("empty", ["key", "name"])
def test_a_class_with_an_empty_key_or_name_raises_type_error(empty):
    with pytest.raises(TypeError, match=f"must declare '{empty}'"):
        ConnectionTypeRegistry().register(make_type(**{empty: ""}))


@pytest.mark.parametrize("key", ["Demo", "demo-type", "demo type"])
def test_a_key_that_is_not_a_lowercase_identifier_raises_type_error(key):
    with pytest.raises(TypeError, match="lowercase identifier"):
        ConnectionTypeRegistry().register(make_type(key=key))


def test_marking_an_unknown_field_secret_raises_type_error():
    fresh = ConnectionTypeRegistry()
    with pytest.raises(TypeError, match=r"unknown fields secret: \['password'\]"):
        fresh.register(make_type(secret_fields=frozenset({"token", "password"})))
    assert "demo_type" not in fresh


def test_used_for_must_hold_usage_values():
    with pytest.raises(TypeError, match="used_for"):
        ConnectionTypeRegistry().register(make_type(used_for=frozenset({"imports"})))


def test_unknown_key_raises_unknown_connection_type():
    with pytest.raises(UnknownConnectionType):
        registry.get("no_such_type")


# --- look-ups ------------------------------------------------------------------------------


def test_iteration_is_ordered_by_name():
    names = [str(t.name).casefold() for t in registry]
    assert names == sorted(names)


def test_keys_matching_azure_returns_the_azure_keys_by_name():
    assert registry.keys_matching("azure") == AZURE_KEYS
    assert registry.keys_matching("AZURE") == AZURE_KEYS


def test_keys_matching_nothing_is_empty():
    assert registry.keys_matching("no such service") == []


def test_for_usage_enrichment_is_exactly_the_seven_enrichment_types():
    enrichment = registry.for_usage(Usage.ENRICHMENT)
    assert len(enrichment) == 7
    assert {t.key for t in enrichment} == ENRICHMENT_KEYS
    assert set(registry.keys_for_usage(Usage.ENRICHMENT)) == ENRICHMENT_KEYS


def test_for_usage_export_is_every_other_type():
    export = {t.key for t in registry.for_usage(Usage.EXPORT)}
    assert len(export) == 18
    assert export == {t.key for t in registry} - ENRICHMENT_KEYS


# --- entry points, for real ----------------------------------------------------------------

GOOD_MODULE = """
from django import forms

from connections_admin.connection_types.base import ConnectionType, Usage


class AcmeCrm(ConnectionType):
    key = "acme_crm"
    name = "Acme CRM"
    description = "Send segments to Acme CRM."
    used_for = frozenset({Usage.EXPORT})
    fields = {"api_key": forms.CharField(label="API key")}
    secret_fields = frozenset({"api_key"})
"""

BAD_MODULE = """
class NotAConnectionType:
    key = "not_a_type"


def a_function():
    return None
"""


def install_distribution(root, *, dist, module, source, entry_points_txt):
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist.replace('_', '-')}\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(entry_points_txt)


@pytest.fixture
def forget_modules():
    names = []
    yield names.append
    for name in names:
        sys.modules.pop(name, None)


def test_load_entry_points_registers_a_type_from_an_installed_package(
    tmp_path, monkeypatch, forget_modules
):
    forget_modules("extra_types_pkg")
    install_distribution(
        tmp_path,
        dist="acme_types",
        module="extra_types_pkg",
        source=GOOD_MODULE,
        entry_points_txt=("[connections_admin.connection_types]\nacme = extra_types_pkg:AcmeCrm\n"),
    )
    fresh = ConnectionTypeRegistry()
    assert "acme_crm" not in fresh.keys_matching("")  # nothing before loading

    monkeypatch.syspath_prepend(str(tmp_path))
    added = fresh.load_entry_points()

    assert "acme_crm" in added
    assert "acme_crm" in fresh
    acme = fresh.get("acme_crm")
    assert acme.__module__ == "extra_types_pkg" and acme.__name__ == "AcmeCrm"
    assert fresh.keys_matching("acme") == ["acme_crm"]
    assert "acme_crm" not in registry  # the global registry is untouched


def test_load_entry_points_finds_nothing_in_an_unused_group(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    fresh = ConnectionTypeRegistry()
    assert fresh.load_entry_points(group="connections_admin.tests.no_such_group") == []
    assert len(fresh) == 0


@pytest.mark.parametrize("target", ["NotAConnectionType", "a_function"])
def test_an_entry_point_that_is_not_a_connection_type_raises_type_error(
    tmp_path, monkeypatch, forget_modules, target
):
    forget_modules("bad_types_pkg")
    group = "connections_admin.tests.bad_connection_types"
    install_distribution(
        tmp_path,
        dist="bad_types",
        module="bad_types_pkg",
        source=BAD_MODULE,
        entry_points_txt=f"[{group}]\nbad = bad_types_pkg:{target}\n",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    fresh = ConnectionTypeRegistry()
    with pytest.raises(TypeError, match="'bad' .* must name a ConnectionType subclass"):
        fresh.load_entry_points(group=group)
    assert len(fresh) == 0
