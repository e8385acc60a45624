from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "postops.payouts"
    label = "payouts"
    verbose_name = _("Chi trả lương hưu, trợ cấp")
    default_auto_field = "django.db.models.BigAutoField"
