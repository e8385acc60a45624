from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "postops.notify"
    label = "notify"
    verbose_name = _("Thông báo")

    def ready(self):
        # The dossier triggers listen to DossierEvent rows (issue #4, item 9); the dossiers app
        # does not know about notifications.
        from . import triggers

        triggers.connect()
