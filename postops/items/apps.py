from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ItemsConfig(AppConfig):
    name = "postops.items"
    label = "items"
    verbose_name = _("Bưu gửi")
