from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PickupsConfig(AppConfig):
    name = "postops.pickups"
    label = "pickups"
    verbose_name = _("Thu gom hồ sơ tại nhà")
    default_auto_field = "django.db.models.BigAutoField"
