from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses every ORM path that would change or remove stored rows.

    History rows are inserted, never changed. Besides the public ``update``/``delete``/
    ``bulk_update``, the private ``_update`` and ``_raw_delete`` (used by ``save()`` and by
    the deletion collector's fast path) and upserts (``bulk_create(update_conflicts=True)``)
    are refused too. Database triggers enforce the same rule below the ORM.
    """

    def _refuse(self):
        raise PermissionError(f"{self.model.__name__} is append-only")

    def update(self, **kwargs):
        self._refuse()

    def _update(self, values):
        self._refuse()

    def delete(self):
        self._refuse()

    def _raw_delete(self, using):
        self._refuse()

    def bulk_update(self, objs, fields, batch_size=None):
        self._refuse()

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        self._refuse()

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        if update_conflicts:
            self._refuse()
        return super().bulk_create(objs, *args, **kwargs)


class AppendOnlyModel(models.Model):
    """Base for append-only history tables (audit entries, tracking events, payouts).

    ``save()`` refuses to update an existing row and ``delete()`` refuses outright. Give the
    concrete model ``base_manager_name = "objects"`` in its Meta so that Django's internal
    manager refuses too, and add database triggers (see ``core`` migration
    ``0003_auditentry_append_only_triggers``) for raw SQL.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(f"{type(self).__name__} is append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{type(self).__name__} is append-only")


class AuditEntry(AppendOnlyModel):
    """One audited action or read of personal data.

    Written by services in the same transaction as the change it records (Zulip
    ``RealmAuditLog``; Open Zaak audit trail). Stores ids and changed field values, never
    copies of whole personal records. Law 91/2025/QH15 and Decree 356/2025 require knowing
    who read a citizen's personal data; ``action`` ending in ``.read`` records such reads.
    """

    occurred_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    actor_label = models.CharField(_("định danh"), max_length=150, blank=True)
    role = models.CharField(_("vai trò"), max_length=30, blank=True)
    office_code = models.CharField(_("mã bưu cục"), max_length=12, blank=True)
    action = models.CharField(_("hành động"), max_length=80, db_index=True)
    target_type = models.CharField(_("loại đối tượng"), max_length=80, blank=True)
    target_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True, db_index=True)
    before = models.JSONField(_("trước"), default=dict, blank=True)
    after = models.JSONField(_("sau"), default=dict, blank=True)
    request_id = models.CharField(_("mã yêu cầu"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhật ký kiểm toán")
        verbose_name_plural = _("nhật ký kiểm toán")
        ordering = ["-occurred_at", "-id"]
        base_manager_name = "objects"
        # Keyset pagination walks (occurred_at, id) backwards, for everyone or within the
        # offices of one scope; the target index answers "who touched this record".
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["occurred_at", "id"], name="audit_time_idx"),
            models.Index(fields=["office_code", "occurred_at", "id"], name="audit_office_time_idx"),
            models.Index(fields=["actor_label", "occurred_at"], name="audit_actor_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class HolidayOverride(models.Model):
    """A per-year correction to the computed public-holiday calendar.

    The government fixes the exact days off each year (Labour Code 2019 Art. 112 and the
    yearly Prime Minister's notice), so a computed day can be removed (``is_holiday=False``,
    e.g. a swapped working Saturday is a working day) or added (``is_holiday=True``).
    """

    date = models.DateField(_("ngày"), unique=True)
    is_holiday = models.BooleanField(_("là ngày nghỉ"), default=True)
    name = models.CharField(_("tên"), max_length=120, blank=True)
    source = models.CharField(_("căn cứ"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("điều chỉnh ngày nghỉ")
        verbose_name_plural = _("điều chỉnh ngày nghỉ")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {'nghỉ' if self.is_holiday else 'làm việc'}"


class RateCounter(models.Model):
    """Requests one client made in its current window, for the public rate limits
    (:mod:`postops.core.ratelimit`): one row per scope and client address, counted and reset
    by a single statement per request. Disposable: on PostgreSQL the table is unlogged (a
    crash empties it, which only resets the counts)."""

    client_key = models.CharField(max_length=200, unique=True)
    window_start = models.FloatField()  # Unix time of the window's first request
    count = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["window_start"], name="ratecounter_window_idx")]

    def __str__(self) -> str:
        return f"{self.client_key}: {self.count}"
