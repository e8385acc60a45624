"""Notifications outbox (issue #4, item 9): one row per message, sent later by a channel.

A :class:`Message` is written in the same transaction as the business change that causes it
(the outbox pattern), so a change and its notice are stored together or not at all; the
sender (``services.notifications_send_due``, ``manage.py send_notifications``) delivers it
afterwards and retries with exponential backoff. ``dedupe_key`` is unique: the same event
never notifies twice, however often it is replayed. Each attempt is appended to
:class:`MessageAttempt`, never updated.

``context`` holds what the template needs (dossier code, agency name, dates), never the
citizen's name or ID number; ``recipient`` (a phone number or an e-mail address) is the only
personal data and is masked on every page.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from postops.core.models import AppendOnlyModel


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi, sẽ gửi lại")
    DEAD = "dead", _("Ngừng gửi")


class Message(models.Model):
    """One notification to one recipient through one channel."""

    channel = models.CharField(_("kênh"), max_length=20)
    recipient = models.CharField(_("người nhận"), max_length=254)
    template_key = models.CharField(_("mẫu"), max_length=60)
    context = models.JSONField(_("nội dung"), default=dict)
    dedupe_key = models.CharField(max_length=200, unique=True, editable=False)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=MessageStatus.choices,
        default=MessageStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lần tới lúc"), null=True, blank=True)
    last_error = models.CharField(_("lỗi lần cuối"), max_length=500, blank=True)
    provider_id = models.CharField(_("mã của nhà cung cấp"), max_length=100, blank=True)
    sent_at = models.DateTimeField(_("gửi được lúc"), null=True, blank=True)
    # What caused it, for staff: "dossiers.dossier" + pk; the office scopes the staff page.
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=40, blank=True)
    source_label = models.CharField(_("nguồn"), max_length=60, blank=True)
    office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bưu cục"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sender's scan: only rows still to send, by due time.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status__in=["pending", "failed"]),
                name="notify_message_due_idx",
            ),
            models.Index(fields=["created_at", "id"], name="notify_message_created_idx"),
            models.Index(fields=["office", "created_at"], name="notify_message_office_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.channel} {self.template_key} {self.status}"


class MessageAttempt(AppendOnlyModel):
    """One try to send a message: its outcome as the channel answered (append-only)."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("lần"))
    attempted_at = models.DateTimeField(_("lúc"))
    ok = models.BooleanField(_("thành công"))
    error = models.CharField(_("lỗi"), max_length=500, blank=True)
    provider_id = models.CharField(_("mã của nhà cung cấp"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("lần gửi thông báo")
        verbose_name_plural = _("lần gửi thông báo")
        ordering = ["message", "number"]
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="notify_attempt_unique")
        ]

    def __str__(self) -> str:
        return f"{self.message_id}#{self.number} {'ok' if self.ok else 'error'}"
