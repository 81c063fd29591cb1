from django import forms
from django.utils.translation import gettext_lazy as _


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


MAX_ID_DIGITS = 18


def is_id(value) -> bool:
    """1 to 18 ASCII digits. ``str.isdigit`` alone also takes "²" (which ``int`` refuses)
    and "１" (which ``int`` reads as 1)."""
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS


class IdModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that refuses values that cannot be ids before asking the database.

    A value with 30 digits would otherwise overflow the database driver (a 500).
    """

    def to_python(self, value):
        if value not in self.empty_values and not is_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value:
            if not is_id(item):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)


def clean_unique_name(value: str, *, queryset, field: str, instance, message: str) -> str:
    """``value`` without surrounding blanks, if no other row of ``queryset`` has it in
    ``field`` whatever its case; else a form error with ``message``. ``instance`` is the
    row being edited (None when adding), which may keep its own name."""
    name = value.strip()
    others = queryset.filter(**{f"{field}__iexact": name})
    if instance is not None and instance.pk is not None:
        others = others.exclude(pk=instance.pk)
    if others.exists():
        raise forms.ValidationError(message, code="duplicate")
    return name
