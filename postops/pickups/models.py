"""Home pickup requests (issue #4, item 4).

Decision 45/2016/QĐ-TTg Art. 6 and Circular 17/2017/TT-BTTTT Art. 5: a dossier may be taken
in at the citizen's address on request. The request comes from the public web form or from
a clerk taking a phone call; a supervisor of the office that serves the commune assigns it
to a postman; at the door the postman does the counter intake on the phone, which makes the
dossier (channel ``pickup``) and its outbound item.

``status`` moves only through ``services`` (rules in ``rules.TRANSITIONS``); every change is
in the audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from postops.network.models import address_mixin

from . import rules

PickupAddress = address_mixin("address", _("nơi thu gom"))


class PickupStatus(models.TextChoices):
    REQUESTED = rules.REQUESTED, _("Đã tiếp nhận yêu cầu")
    ASSIGNED = rules.ASSIGNED, _("Đã giao bưu tá")
    COLLECTED = rules.COLLECTED, _("Đã thu gom hồ sơ")
    FAILED = rules.FAILED, _("Thu gom không thành công")
    CANCELLED = rules.CANCELLED, _("Đã hủy")


class TimeWindow(models.TextChoices):
    MORNING = "morning", _("Buổi sáng (7:30–11:30)")
    AFTERNOON = "afternoon", _("Buổi chiều (13:30–17:00)")


class Source(models.TextChoices):
    WEB = "web", _("Cổng trực tuyến")
    PHONE = "phone", _("Điện thoại")
    API = "api", _("Hệ thống đối tác (API)")


class PickupRequest(PickupAddress, models.Model):
    code = models.CharField(_("mã yêu cầu"), max_length=12, unique=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=PickupStatus.choices,
        default=PickupStatus.REQUESTED,
    )
    source = models.CharField(_("nguồn"), max_length=6, choices=Source.choices)
    name = models.CharField(_("họ và tên"), max_length=150)
    phone = models.CharField(_("điện thoại"), max_length=20)
    procedure = models.ForeignKey(
        "dossiers.Procedure",
        on_delete=models.PROTECT,
        related_name="pickup_requests",
        verbose_name=_("thủ tục"),
    )
    office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="pickup_requests",
        verbose_name=_("bưu cục thu gom"),
    )
    preferred_date = models.DateField(_("ngày hẹn"))
    time_window = models.CharField(_("khung giờ"), max_length=10, choices=TimeWindow.choices)
    note = models.TextField(_("ghi chú"), blank=True, max_length=1000)
    postman = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pickup_requests",
        verbose_name=_("bưu tá"),
    )
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pickup_request",
        verbose_name=_("hồ sơ"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi yêu cầu"),
    )
    # The form's one-time token: a double submit or a resent form makes one request.
    idempotency_key = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("thời điểm yêu cầu"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("yêu cầu thu gom")
        verbose_name_plural = _("yêu cầu thu gom")
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="pickup_idempotency_key_unique",
            ),
        ]
        indexes = [
            # The supervisor's queue: open requests of an office by date (keyset).
            models.Index(
                fields=["office", "status", "preferred_date", "id"], name="pickup_queue_idx"
            ),
            # The postman's day.
            models.Index(fields=["postman", "status", "preferred_date"], name="pickup_postman_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def masked_phone(self) -> str:
        return rules.mask_phone(self.phone)

    @property
    def is_open(self) -> bool:
        return self.status in rules.OPEN_STATUSES
