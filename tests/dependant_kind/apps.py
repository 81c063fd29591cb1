from django.apps import AppConfig


class DependantKindTestsConfig(AppConfig):
    """A third kind of thing that uses a connection, installed by the test settings only.

    It proves that a new kind needs no change under ``connections/``: a model with a
    ``connection`` foreign key and a registration (done by the tests that use it).
    """

    name = "tests.dependant_kind"
    label = "dependant_kind_tests"
    default_auto_field = "django.db.models.BigAutoField"
