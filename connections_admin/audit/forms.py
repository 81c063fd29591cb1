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
