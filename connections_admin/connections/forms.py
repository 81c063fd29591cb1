from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from connections_admin.connection_types.base import ConnectionType, Usage
from connections_admin.core.forms import IdModelMultipleChoiceField, clean_unique_name

from .models import Connection
from .sharing import Audience, Sharing, shareable_groups, shareable_users, sharing_of

SECRET_SET_HELP = _(
    "A value is set. Leave this empty to keep it, or type a new value to replace it."
)
# After a failed save, beside a secret that had been typed: the page comes back without it.
SECRET_TYPE_AGAIN = _(
    "Type it again: the value you typed was not saved, and secrets are never sent back "
    "to the browser."
)
SECRET_TYPE_AGAIN_TO_REPLACE = _(
    "Type the new value again: it was not saved, and secrets are never sent back to the "
    "browser. Left empty, the stored value is kept."
)
DISPLAY_NAME_HELP = _(
    "Say what the connection is for and which service it reaches, for example “%(example)s”."
)


class UserChoiceField(IdModelMultipleChoiceField):
    """Contributors by full name and username ("Aigerim Bekova (aigerim)"), or username."""

    def label_from_instance(self, obj) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.get_username()})" if full_name else obj.get_username()


class ConnectionForm(forms.Form):
    """The Set up connection / Edit pane: display name, the type's fields, consent.

    Built from the connection type; on edit, secrets already stored are optional
    (empty keeps them) and the version the editor loaded travels in a hidden field.
    """

    display_name = forms.CharField(label=_("Display name"), max_length=100)

    def __init__(
        self,
        *args,
        connection_type: type[ConnectionType],
        connection: Connection | None = None,
        **kwargs,
    ):
        if connection is not None:
            kwargs.setdefault(
                "initial",
                {
                    "display_name": connection.display_name,
                    "version": connection.version,
                    **connection.settings,
                },
            )
        super().__init__(*args, **kwargs)
        self.connection_type = connection_type
        self.connection = connection
        self.secrets_set = frozenset(connection.secret_names if connection else ())
        self.fields["display_name"].help_text = DISPLAY_NAME_HELP % {
            "example": connection_type.display_name_example
        }
        for name, field in connection_type.form_fields().items():
            if name in self.secrets_set:
                field.required = False
                field.help_text = SECRET_SET_HELP
            self.fields[name] = field
        if connection_type.is_for(Usage.EXPORT):
            self._add_sharing_fields(connection)
        if connection is None:
            self.fields["consent"] = forms.BooleanField(
                label=_("I agree"),
                required=True,
                error_messages={"required": _("Tick “I agree” to give your consent.")},
            )
        else:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1
            )

    def _add_sharing_fields(self, connection: Connection | None) -> None:
        current = sharing_of(connection) if connection else Sharing(Audience.ADMINS)
        self.fields["who_can_use"] = forms.ChoiceField(
            label=_("Choose who can use this connection"),
            choices=[(audience.value, audience.label) for audience in Audience],
            widget=forms.RadioSelect,
            initial=current.audience.value,
            required=False,  # left out: administrators only, the default
        )
        # Checkbox lists (with a filter box, sharing.js): several are picked without Ctrl-click.
        self.fields["shared_users"] = UserChoiceField(
            label=_("Chosen contributors"),
            queryset=shareable_users(),
            required=False,
            initial=[user.pk for user in current.users],
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["shared_groups"] = IdModelMultipleChoiceField(
            label=_("Chosen groups"),
            queryset=shareable_groups(),
            required=False,
            initial=[group.pk for group in current.groups],
            widget=forms.CheckboxSelectMultiple,
        )

    def add_error(self, field, error):
        """Every error passes here (the fields', clean()'s, and the view's after
        is_valid()), so what is said beside the fields follows the errors: see
        :meth:`_fit_help_to_errors`."""
        super().add_error(field, error)
        self._fit_help_to_errors()

    def _fit_help_to_errors(self) -> None:
        """A failed save shows the form again without the secrets typed into it: say so
        beside each (instead of its usual hint, which it contradicts). A hint that an error
        repeats word for word is left out, so the words are said once."""
        for name in self.connection_type.secret_names():
            if self.data.get(self.add_prefix(name)):
                note = (
                    SECRET_TYPE_AGAIN_TO_REPLACE if name in self.secrets_set else SECRET_TYPE_AGAIN
                )
                # Not the muted look of a hint: something to act on.
                self._set_help(name, format_html('<span class="retype-note">{}</span>', note))
        for name, errors in (self._errors or {}).items():
            field = self.fields.get(name)
            if field is not None and str(field.help_text) in {str(e) for e in errors}:
                self._set_help(name, "")

    def _set_help(self, name: str, text) -> None:
        # A bound field copies its field's help text when it is made (cleaning made it).
        self.fields[name].help_text = text
        self[name].help_text = text

    @property
    def has_sharing(self) -> bool:
        return "who_can_use" in self.fields

    def sharing(self) -> Sharing | None:
        """Who may use the connection, as chosen; None for enrichment types."""
        if not self.has_sharing:
            return None
        audience = Audience(self.cleaned_data["who_can_use"] or Audience.ADMINS)
        if audience is not Audience.CHOSEN:
            return Sharing(audience)
        return Sharing(
            audience,
            users=list(self.cleaned_data["shared_users"]),
            groups=list(self.cleaned_data["shared_groups"]),
        )

    @property
    def type_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.connection_type.fields]

    def clean_display_name(self) -> str:
        return clean_unique_name(
            self.cleaned_data["display_name"],
            queryset=Connection.objects,
            field="display_name",
            instance=self.connection,
            message=_("A connection with this display name already exists."),
        )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("who_can_use") == Audience.CHOSEN
            and not cleaned.get("shared_users")
            and not cleaned.get("shared_groups")
        ):
            self.add_error(
                "who_can_use", _("Choose at least one contributor or group to share it with.")
            )
        for name, message in self.connection_type.clean(cleaned, self.secrets_set).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def setup_values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.connection_type.fields}
