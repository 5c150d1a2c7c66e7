from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ais.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        # Record the login time without a save(): a login is not a change of the
        # account, and must not add an entry to its audit history.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(_record_last_login, dispatch_uid="ais_record_last_login")

        from .services import on_user_logged_in

        # Staff session time-outs and two-factor authentication (see middleware.py).
        user_logged_in.connect(on_user_logged_in, dispatch_uid="ais_mark_session")

        from axes.signals import user_locked_out

        from .services import on_user_locked_out

        # The « Débloquer mon compte » e-mail when an account gets locked (see lockout.py).
        user_locked_out.connect(on_user_locked_out, dispatch_uid="ais_unlock_email")


def _record_last_login(sender, user, **kwargs):
    from django.utils import timezone

    now = timezone.now()
    type(user).objects.filter(pk=user.pk).update(last_login=now)
    user.last_login = now
