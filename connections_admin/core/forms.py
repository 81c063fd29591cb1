import unicodedata

from django import forms
from django.core.validators import MaxLengthValidator
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


# Characters that show nothing, or reorder what is shown around them: zero-width spaces
# and joiners, the byte order mark, soft hyphens, text direction marks, embeddings,
# overrides and isolates are "format" (Cf); controls (Cc) and the rest of the categories
# below are never part of a name either. Whitespace (tabs, no-break and other spaces)
# becomes a plain space instead.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})
# Letters that are blank: Hangul fillers and the blank Braille pattern.
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")

INVISIBLE_MESSAGE = _(
    "Remove the invisible characters (such as zero-width spaces or text direction marks): "
    "names must look different to be told apart."
)


def normalize_name(value: str) -> str:
    """``value`` as names are stored and compared: Unicode NFKC (full-width letters and
    no-break spaces become their plain forms), every run of whitespace one space, no
    surrounding blanks. Raises ValueError when it holds an invisible character."""
    name = unicodedata.normalize("NFKC", value)
    if any(
        (unicodedata.category(char) in INVISIBLE_CATEGORIES and not char.isspace())
        or char in INVISIBLE_LETTERS
        for char in name
    ):
        raise ValueError("invisible character")
    return " ".join(name.split())


def clean_unique_name(value: str, *, queryset, field: str, instance, message: str) -> str:
    """``value`` normalized (``normalize_name``), if no other row of ``queryset`` has it in
    ``field`` whatever its case; else a form error with ``message``. ``instance`` is the
    row being edited (None when adding), which may keep its own name.

    Names that would look the same as another are refused or made the same: invisible
    characters (zero-width, text direction controls) are a form error, no-break and
    repeated spaces and full-width letters are normalized before the comparison."""
    try:
        name = normalize_name(value)
    except ValueError:
        raise forms.ValidationError(INVISIBLE_MESSAGE, code="invisible") from None
    if not name:
        raise forms.ValidationError(forms.Field.default_error_messages["required"], code="required")
    max_length = queryset.model._meta.get_field(field).max_length
    if max_length is not None:
        MaxLengthValidator(max_length)(name)  # NFKC can lengthen a name
    others = queryset.filter(**{f"{field}__iexact": name})
    if instance is not None and instance.pk is not None:
        others = others.exclude(pk=instance.pk)
    if others.exists():
        raise forms.ValidationError(message, code="duplicate")
    return name


def error_summary_items(form: forms.BaseForm, anchors: dict[str, str] | None = None) -> list:
    """What the error summary of a page lists: ``{"target": id, "text": ...}`` for each
    error of ``form``, the non-field errors first (no target), then each field's in the
    form's order, as "Label: message", with the id of the control to go to.

    The control is the field's own (its label's ``for``), the first choice of a group of
    radios or boxes, or what ``anchors`` names for a field the page renders itself; a
    hidden field's error has no target. An unbound or valid form gives nothing.
    """
    if not form.is_bound or not form.errors:
        return []
    anchors = anchors or {}
    items = [{"target": "", "text": str(error)} for error in form.non_field_errors()]
    for bound in form:
        for error in bound.errors:
            text = f"{bound.label}: {error}" if bound.label else str(error)
            items.append({"target": _control_id(bound, anchors), "text": text})
    return items


def _control_id(bound: forms.BoundField, anchors: dict[str, str]) -> str:
    if bound.name in anchors:
        return anchors[bound.name]
    if bound.is_hidden:
        return ""
    if bound.id_for_label:
        return bound.id_for_label
    choices = bound.subwidgets
    return (choices[0].id_for_label if choices else "") or bound.auto_id or ""
