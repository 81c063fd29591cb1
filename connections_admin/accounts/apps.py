from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "connections_admin.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .throttling import reset_own_failures

        user_logged_in.connect(reset_own_failures, dispatch_uid="accounts.reset_own_failures")
