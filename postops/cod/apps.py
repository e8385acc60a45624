from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CodConfig(AppConfig):
    name = "postops.cod"
    label = "cod"
    verbose_name = _("Tiền thu hộ (COD)")
