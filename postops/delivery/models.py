"""Postman delivery: run sheets, proof of delivery, failed attempts, COD cash, handover.

A supervisor puts items that arrived at the delivery office on a postman's
:class:`RunSheet` for the day (the EDG "out for delivery" event). On the round the postman
records a :class:`DeliveryAttempt` per item, delivered (EMI, with proof) or failed (EMH,
with a reason and an action), often offline: the attempt carries the phone's own UUID
(``event_id``, the same as its tracking event's) so that a resent action is a duplicate.
Cash collected on delivery is written on the attempt (``cod_collected``) and in the COD
ledger of ``postops.cod``, which takes the money on to the sender. At the end of the day the postman
brings back the undelivered items and the cash; the supervisor counts them and confirms a
:class:`Handover`; only then are the run sheet's deliveries final.

Attempts, collections and handovers are append-only history; ``RunSheet.status`` and
``RunSheetEntry.outcome`` are caches moved only by the services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from postops.core.models import AppendOnlyModel

from . import rules


class Route(models.Model):
    """A delivery route of a post office: the communes one postman usually covers.

    Supervisors assign a whole route at once: every item waiting at the office for a
    receiver in one of ``commune_codes`` (2025 scheme).
    """

    office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="delivery_routes",
        verbose_name=_("bưu cục phát"),
    )
    code = models.CharField(_("mã tuyến"), max_length=20)
    name = models.CharField(_("tên tuyến"), max_length=120)
    commune_codes = models.JSONField(_("mã xã/phường"), default=list, blank=True)
    default_postman = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bưu tá thường phát"),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("tuyến phát")
        verbose_name_plural = _("tuyến phát")
        ordering = ["office", "code"]
        constraints = [
            models.UniqueConstraint(fields=["office", "code"], name="delivery_route_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RunSheet(models.Model):
    """One postman's round from one delivery office on one day.

    ``open`` while the postman is out; ``submitted`` when the postman has handed back the
    undelivered items and the cash; ``confirmed`` when the supervisor has counted them
    (a :class:`Handover` exists): the deliveries on it are then final.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Đang phát")
        SUBMITTED = "submitted", _("Bưu tá đã bàn giao, chờ xác nhận")
        CONFIRMED = "confirmed", _("Đã xác nhận bàn giao")

    office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="run_sheets",
        verbose_name=_("bưu cục phát"),
    )
    postman = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="run_sheets",
        verbose_name=_("bưu tá"),
    )
    day = models.DateField(_("ngày phát"))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người lập"),
    )
    submitted_at = models.DateTimeField(_("bưu tá bàn giao lúc"), null=True, blank=True)
    declared_cash = models.PositiveBigIntegerField(
        _("tiền thu hộ bưu tá nộp (đồng)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("bảng kê phát")
        verbose_name_plural = _("bảng kê phát")
        ordering = ["-day", "office", "postman"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "postman", "day"], name="delivery_runsheet_unique"
            )
        ]
        indexes = [models.Index(fields=["office", "day"], name="delivery_runsheet_day_idx")]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.postman_id}/{self.day:%Y-%m-%d}"

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.CONFIRMED


class EntryOutcome(models.TextChoices):
    PENDING = "pending", _("Chưa phát")
    DELIVERED = "delivered", _("Đã phát")
    RETRY = rules.Outcome.RETRY, _("Không thành công, phát lại")
    HOLD = rules.Outcome.HOLD, _("Không thành công, lưu tại bưu cục")
    RETURN = rules.Outcome.RETURN, _("Không thành công, chuyển hoàn")


class RunSheetEntryQuerySet(models.QuerySet):
    def open(self):
        """Entries on a round not confirmed at the end-of-day handover: the item is still
        with the postman, or on a round that may take no other."""
        return self.exclude(run_sheet__status=RunSheet.Status.CONFIRMED)


class RunSheetEntry(models.Model):
    """An item on a run sheet. ``outcome`` caches the item's latest attempt on this round."""

    run_sheet = models.ForeignKey(
        RunSheet, on_delete=models.PROTECT, related_name="entries", verbose_name=_("bảng kê")
    )
    item = models.ForeignKey(
        "items.Item",
        on_delete=models.PROTECT,
        related_name="run_sheet_entries",
        verbose_name=_("bưu gửi"),
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    assigned_at = models.DateTimeField(_("giao phát lúc"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người giao"),
    )
    outcome = models.CharField(
        _("kết quả"), max_length=12, choices=EntryOutcome.choices, default=EntryOutcome.PENDING
    )

    objects = RunSheetEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("bưu gửi trên bảng kê")
        verbose_name_plural = _("bưu gửi trên bảng kê")
        ordering = ["run_sheet", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run_sheet", "item"], name="delivery_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.run_sheet_id}:{self.item_id}"


class DeliveryAttempt(AppendOnlyModel):
    """One delivery attempt with its proof, recorded by the postman (often offline).

    ``event_id`` is the phone's UUID for the action and also the id of the tracking event
    (EMI or EMH) recorded with it: a resent action is recognised by it. ``occurred_at`` is
    when it happened as recorded in the tracking history; ``device_time`` the time the phone
    gave (the two differ only when a wrong phone clock put the attempt before the item went
    out). The ID document is kept as little as the check needs: type, masked number and a
    keyed hash (to confirm later that a given card was the one shown), never the number.
    """

    class Kind(models.TextChoices):
        DELIVERED = "delivered", _("Phát thành công")
        FAILED = "failed", _("Phát không thành công")

    event_id = models.UUIDField(_("mã thao tác"), unique=True)
    entry = models.ForeignKey(
        RunSheetEntry, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("dòng")
    )
    item = models.ForeignKey(
        "items.Item",
        on_delete=models.PROTECT,
        related_name="delivery_attempts",
        verbose_name=_("bưu gửi"),
    )
    office = models.ForeignKey(
        "network.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("bưu cục")
    )
    postman = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delivery_attempts",
        verbose_name=_("bưu tá"),
    )
    kind = models.CharField(_("kết quả"), max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("xảy ra lúc"))
    device_time = models.DateTimeField(_("giờ trên máy"))
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)
    # Delivered: who took it and the proof.
    recipient_name = models.CharField(_("người nhận"), max_length=150, blank=True)
    relation = models.CharField(
        _("quan hệ với người nhận"),
        max_length=12,
        blank=True,
        choices=[
            (rules.Relation.SELF, _("Chính người nhận")),
            (rules.Relation.FAMILY, _("Người nhà")),
            (rules.Relation.NEIGHBOUR, _("Hàng xóm")),
            (rules.Relation.OFFICE, _("Cơ quan, lễ tân")),
            (rules.Relation.OTHER, _("Khác")),
        ],
    )
    id_document = models.CharField(
        _("giấy tờ"),
        max_length=10,
        blank=True,
        choices=[
            (rules.IdDocument.CCCD, _("Thẻ căn cước/CCCD")),
            (rules.IdDocument.PASSPORT, _("Hộ chiếu")),
        ],
    )
    id_number_masked = models.CharField(_("số giấy tờ (che)"), max_length=20, blank=True)
    id_number_digest = models.CharField(max_length=64, blank=True, editable=False)
    signature = models.FileField(_("chữ ký"), upload_to="delivery/proof/%Y/%m/", blank=True)
    photo = models.FileField(_("ảnh"), upload_to="delivery/proof/%Y/%m/", blank=True)
    cod_collected = models.PositiveBigIntegerField(_("tiền thu hộ đã thu (đồng)"), default=0)
    # Failed: reason and action (code lists), and what the rule decided.
    reason_code = models.CharField(_("mã lý do"), max_length=10, blank=True)
    action_code = models.CharField(_("mã biện pháp"), max_length=10, blank=True)
    outcome = models.CharField(_("xử lý tiếp"), max_length=12, choices=EntryOutcome.choices)
    invitation = models.PositiveSmallIntegerField(_("giấy mời lần"), null=True, blank=True)
    next_attempt_on = models.DateField(_("phát lại ngày"), null=True, blank=True)
    grounds = models.CharField(_("căn cứ"), max_length=30, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("lần phát")
        verbose_name_plural = _("lần phát")
        base_manager_name = "objects"
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["item", "occurred_at"], name="delivery_attempt_item_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="failed") | ~Q(recipient_name=""),
                name="delivery_attempt_recipient_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


class CounterDelivery(AppendOnlyModel):
    """An item handed over at the counter of the office that has it, with its proof.

    Two cases (Postal Law 49/2010; issue #3 items 9 and 11): the receiver comes for an item
    held or waiting at the delivery office (after the invitations of failed attempts, or
    told it arrived), and pays its COD if it has one; or the sender takes back an item
    returned to the office that accepted it (chuyển hoàn), without COD. ``event_id`` is the
    page's id for the action and the id of the EMI tracking event recorded with it (the
    item becomes ``delivered`` or ``returned``): a resent form is recognised by it. The ID
    document is kept as in :class:`DeliveryAttempt`: type, masked number and a keyed hash.
    """

    class Kind(models.TextChoices):
        RECEIVER = "receiver", _("Phát tại quầy cho người nhận")
        SENDER = "sender", _("Trả lại người gửi tại quầy")

    event_id = models.UUIDField(_("mã thao tác"), unique=True)
    item = models.ForeignKey(
        "items.Item",
        on_delete=models.PROTECT,
        related_name="counter_deliveries",
        verbose_name=_("bưu gửi"),
    )
    office = models.ForeignKey(
        "network.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("bưu cục")
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("giao dịch viên"),
    )
    kind = models.CharField(_("trường hợp"), max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("xảy ra lúc"))
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)
    recipient_name = models.CharField(_("người nhận"), max_length=150)
    relation = models.CharField(
        _("quan hệ"), max_length=12, choices=DeliveryAttempt._meta.get_field("relation").choices
    )
    id_document = models.CharField(
        _("giấy tờ"),
        max_length=10,
        blank=True,
        choices=DeliveryAttempt._meta.get_field("id_document").choices,
    )
    id_number_masked = models.CharField(_("số giấy tờ (che)"), max_length=20, blank=True)
    id_number_digest = models.CharField(max_length=64, blank=True, editable=False)
    cod_collected = models.PositiveBigIntegerField(_("tiền thu hộ đã thu (đồng)"), default=0)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("phát tại quầy")
        verbose_name_plural = _("phát tại quầy")
        base_manager_name = "objects"
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(recipient_name=""), name="counter_delivery_recipient_named"
            ),
            models.CheckConstraint(
                condition=Q(kind="receiver") | Q(cod_collected=0),
                name="counter_delivery_no_cod_back_to_sender",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


class Handover(AppendOnlyModel):
    """The supervisor's count at the end of a round: items returned and cash (đồng).

    Expected figures are what the records say at confirmation; counted ones what the
    supervisor counted. A variance (counted − expected) needs a reason. Its existence makes
    the run sheet ``confirmed`` and its deliveries final.
    """

    run_sheet = models.OneToOneField(
        RunSheet, on_delete=models.PROTECT, related_name="handover", verbose_name=_("bảng kê")
    )
    expected_items = models.PositiveIntegerField(_("bưu gửi phải trả lại"))
    returned_items = models.PositiveIntegerField(_("bưu gửi đã nhận lại"))
    missing_numbers = models.JSONField(_("số hiệu thiếu"), default=list, blank=True)
    expected_cash = models.PositiveBigIntegerField(_("tiền thu hộ phải nộp (đồng)"))
    declared_cash = models.PositiveBigIntegerField(
        _("tiền bưu tá khai nộp (đồng)"), null=True, blank=True
    )
    counted_cash = models.PositiveBigIntegerField(_("tiền đếm được (đồng)"))
    items_variance = models.IntegerField(_("chênh lệch bưu gửi"))
    cash_variance = models.BigIntegerField(_("chênh lệch tiền (đồng)"))
    variance_reason = models.TextField(_("lý do chênh lệch"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người xác nhận"),
    )
    confirmed_at = models.DateTimeField(_("xác nhận lúc"))

    class Meta:
        verbose_name = _("biên bản bàn giao cuối ngày")
        verbose_name_plural = _("biên bản bàn giao cuối ngày")
        base_manager_name = "objects"
        ordering = ["-confirmed_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(items_variance=0) & Q(cash_variance=0)) | ~Q(variance_reason=""),
                name="delivery_handover_variance_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_sheet_id} {self.confirmed_at:%Y-%m-%d %H:%M}"


class HomePayoutAssignment(models.Model):
    """A pension or benefit paid at the beneficiary's home (issue #5 item 7), given to a
    member of staff who pays it on their round, on the phone, offline if need be.

    One per payroll line; the payment itself is a ``payouts.Payout`` made by
    ``payouts.services.payout_record`` with the phone's UUID as its idempotency key.
    """

    line = models.OneToOneField(
        "payouts.PayrollLine",
        on_delete=models.PROTECT,
        related_name="home_assignment",
        verbose_name=_("dòng chi trả"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="home_payouts",
        verbose_name=_("người đi chi"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người giao"),
    )
    assigned_at = models.DateTimeField(_("giao lúc"))

    class Meta:
        verbose_name = _("chi trả tại nhà")
        verbose_name_plural = _("chi trả tại nhà")
        ordering = ["line"]

    def __str__(self) -> str:
        return f"{self.line_id} → {self.staff_id}"
