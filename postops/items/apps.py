from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ItemsConfig(AppConfig):
    name = "postops.items"
    label = "items"
    verbose_name = _("Bưu gửi")

    def ready(self):
        from postops.network.models import Office

        from .models import CodeListEntry
        from .selectors import office_cache_clear, reason_cache_clear

        # Public tracking caches office names and reason labels per process: a change
        # shows at once in this process (in the others within OFFICE_CACHE_SECONDS).
        post_save.connect(office_cache_clear, sender=Office, dispatch_uid="items_office_cache")
        post_delete.connect(office_cache_clear, sender=Office, dispatch_uid="items_office_cache_d")
        post_save.connect(
            reason_cache_clear, sender=CodeListEntry, dispatch_uid="items_reason_cache"
        )
        post_delete.connect(
            reason_cache_clear, sender=CodeListEntry, dispatch_uid="items_reason_cache_d"
        )
