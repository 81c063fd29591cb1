"""Error reports never show a secret, whatever DEBUG says.

Django's SafeExceptionReporterFilter hides sensitive POST fields and variables only when
DEBUG is off, so under ``make run`` a crash showed the password or client secret an admin
had just typed. This filter is always active, and beyond what views and functions mark as
sensitive it hides every posted field, dictionary entry and variable named like a secret:
the names apps declare with ``hide()`` (the connection types' secret fields), and
Django's own pattern (key, secret, token, password...).
"""

from collections.abc import Iterable

from django.utils.datastructures import MultiValueDict
from django.views.debug import SafeExceptionReporterFilter

MAX_DEPTH = 6


_secret_names: set[str] = set()


def hide(names: Iterable[str]) -> None:
    """Treat these field names as secrets too (the connection-type catalog gives its own
    from its ready(): core knows no app above it)."""
    _secret_names.update(names)


def secret_names() -> frozenset[str]:
    return frozenset(_secret_names)


class SecretsHiddenFilter(SafeExceptionReporterFilter):
    def is_active(self, request) -> bool:
        return True

    def is_secret(self, name) -> bool:
        if not isinstance(name, str):
            return False
        return name in secret_names() or bool(self.hidden_settings.search(name))

    def _cleansed_multivaluedict(self, request, value: MultiValueDict) -> MultiValueDict:
        marked = getattr(request, "sensitive_post_parameters", [])
        cleansed = value.copy()
        for key in cleansed:
            if marked == "__ALL__" or key in marked or self.is_secret(key):
                cleansed[key] = self.cleansed_substitute
        return cleansed

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return self._cleansed_multivaluedict(request, request.POST)

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        return self._cleansed_multivaluedict(request, multivaluedict)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, self.cleansed_substitute if self.is_secret(name) else self._cleanse(value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]

    def _cleanse(self, value, depth: int = 0, seen: frozenset = frozenset()):
        """``value`` with the entries of its dictionaries that are named like secrets hidden
        (in nested dictionaries, lists and tuples too)."""
        if depth > MAX_DEPTH or id(value) in seen or isinstance(value, MultiValueDict):
            return value  # MultiValueDicts were cleansed already (cleanse_special_types)
        if isinstance(value, dict):
            inner = seen | {id(value)}
            return {
                key: self.cleansed_substitute
                if self.is_secret(key)
                else self._cleanse(item, depth + 1, inner)
                for key, item in value.items()
            }
        if type(value) in (list, tuple):
            inner = seen | {id(value)}
            return type(value)(self._cleanse(item, depth + 1, inner) for item in value)
        return value
