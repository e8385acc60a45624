from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "postops.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ thủ tục hành chính qua bưu chính")
    default_auto_field = "django.db.models.BigAutoField"
