from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Action, ObjectKind


class ActivityFilterForm(forms.Form):
    q = forms.CharField(label=_("Object name"), required=False, max_length=100)
    action = forms.ChoiceField(
        label=_("Type of change"), required=False, choices=[("", _("Any")), *Action.choices]
    )
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    kind = forms.ChoiceField(
        label=_("Object"), required=False, choices=[("", _("Any")), *ObjectKind.choices]
    )
    object_id = forms.IntegerField(
        required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("object_id") and not cleaned.get("kind"):
            # An id means nothing without its kind (export 7 is not connection 7).
            self.add_error("object_id", _("This history link is not valid."))
        return cleaned
