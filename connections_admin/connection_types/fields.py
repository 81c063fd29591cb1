"""Form fields the built-in types share. Each call returns a new field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from connections_admin.core.widgets import NumberInput

from . import validators


class SecretTextarea(forms.Textarea):
    """A textarea that never writes its value back into the page."""

    def format_value(self, value):
        return None


def secret(
    label, *, max_length: int = 256, multiline: bool = False, validators_=()
) -> forms.CharField:
    widget = (
        SecretTextarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"})
        if multiline
        else forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
    )
    return forms.CharField(
        label=label,
        max_length=max_length,
        strip=False,
        widget=widget,
        required=True,
        validators=list(validators_),
    )


def text(label, *, max_length: int = 100, validators_=(), help_text="") -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, validators=list(validators_), help_text=help_text
    )


def hostname(label=_("Hostname")) -> forms.CharField:
    return text(label, max_length=253, validators_=[validators.validate_hostname])


def rest_hostname() -> forms.CharField:
    return text(
        _("REST endpoint hostname"),
        max_length=253,
        validators_=[validators.validate_hostname],
        help_text=_("Without https://, for example 123-abc-456.mktorest.com."),
    )


def port(default: int = 22) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Port"), min_value=1, max_value=65535, initial=default, widget=NumberInput
    )


def username(label=_("Username")) -> forms.CharField:
    return text(label, max_length=150)


def password(label=_("Password")) -> forms.CharField:
    return secret(label)


def api_key(label=_("API key")) -> forms.CharField:
    return secret(label)


def export_folder() -> forms.CharField:
    return text(
        _("Export folder"),
        max_length=255,
        validators_=[validators.validate_export_folder],
        help_text=_("Lowercase, for example exports/customers."),
    )


def numeric_id(label) -> forms.CharField:
    return text(label, max_length=20, validators_=[validators.validate_numeric_id])


def azure_account_name(label=_("Account name")) -> forms.CharField:
    return text(label, max_length=24, validators_=[validators.validate_azure_account_name])


def azure_container() -> forms.CharField:
    return text(_("Container"), max_length=63, validators_=[validators.validate_azure_container])


def dynamics_server_address() -> forms.CharField:
    return forms.CharField(
        label=_("Server address"),
        max_length=200,
        validators=[validators.validate_dynamics_server_address],
        help_text=_("For example https://contoso.crm.dynamics.com."),
    )


def dynamics_admin_account() -> forms.EmailField:
    return forms.EmailField(
        label=_("Server admin account"),
        max_length=254,
        help_text=_("The account, such as admin@contoso.com, that grants access."),
    )
