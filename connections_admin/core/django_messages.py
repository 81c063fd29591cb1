"""Django's own messages that these forms can show and Django's Kazakh catalog lacks.

Listed here only so that ``makemessages`` puts them into this project's catalogs,
which take precedence over Django's (LOCALE_PATHS). Nothing imports this module:
Django looks the messages up itself.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_MESSAGES = (
    gettext_noop("Enter a valid email address."),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
)
