from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "postops.core"
    label = "core"
    verbose_name = _("Lõi hệ thống")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy checks)
        from .db import register_sqlite_functions

        # The SQLite audit DELETE trigger calls postops_audit_locked() (migration 0003).
        connection_created.connect(
            register_sqlite_functions, dispatch_uid="postops.core.sqlite_functions"
        )
