"""Inputs whose ``value`` attribute is always one HTML allows for their type.

A form shown again with its errors echoes what was posted. A browser never posts "abc"
for a number or "25:99" for a time, but a hand-made request can, and echoed as it is the
attribute is invalid HTML; a browser would drop such a value anyway (HTML's value
sanitization), so these drop it first and the field shows empty beside its error.
"""

import re

from django import forms

# HTML's "valid floating-point number" and "valid time string".
NUMBER = re.compile(r"-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?")
TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?")


class NumberInput(forms.NumberInput):
    def format_value(self, value):
        shown = super().format_value(value)
        return shown if shown is None or NUMBER.fullmatch(shown) else None


class TimeInput(forms.TimeInput):
    input_type = "time"

    def format_value(self, value):
        shown = super().format_value(value)
        return shown if shown is None or TIME.fullmatch(shown) else None
