from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "postops.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ thủ tục hành chính qua bưu chính")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # A delivered return item delivers its dossier, in the same transaction.
        from postops.items.signals import item_status_changed

        from .returns import on_item_status_changed

        item_status_changed.connect(on_item_status_changed, dispatch_uid="dossiers.return_item")
