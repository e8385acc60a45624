"""Complaints on postal items and dossiers, their answers and compensation; incidents.

``Complaint.status`` moves only through ``services`` (compare-and-set on the old status;
``rules.TRANSITIONS``). The complainant's name and phone are personal data (Law
91/2025/QH15): shown to the roles that handle complaints, masked elsewhere, reads logged.
Money is integer đồng.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import rules


class Subject(models.TextChoices):
    ITEM = rules.Subject.ITEM, _("Bưu gửi")
    DOSSIER = rules.Subject.DOSSIER, _("Hồ sơ hành chính")


class Channel(models.TextChoices):
    COUNTER = "counter", _("Tại quầy")
    PHONE = "phone", _("Điện thoại")
    WEB = "web", _("Trang web")
    LETTER = "letter", _("Thư, văn bản")


class Kind(models.TextChoices):
    LOSS = rules.Kind.LOSS, _("Mất")
    DELAY = rules.Kind.DELAY, _("Chậm so với thời gian toàn trình")
    DAMAGE = rules.Kind.DAMAGE, _("Hư hỏng, suy suyển")
    DOSSIER_SERVICE = rules.Kind.DOSSIER_SERVICE, _("Dịch vụ nhận gửi, trả hồ sơ")
    OTHER = rules.Kind.OTHER, _("Khác")


class Status(models.TextChoices):
    RECEIVED = rules.Status.RECEIVED, _("Đã tiếp nhận")
    INVESTIGATING = rules.Status.INVESTIGATING, _("Đang xác minh")
    ANSWERED = rules.Status.ANSWERED, _("Đã trả lời")
    COMPENSATED = rules.Status.COMPENSATED, _("Đã bồi thường")
    CLOSED = rules.Status.CLOSED, _("Đã đóng")


class Outcome(models.TextChoices):
    UPHELD = rules.Outcome.UPHELD, _("Khiếu nại đúng")
    REJECTED = rules.Outcome.REJECTED, _("Khiếu nại không đúng")


class Complaint(models.Model):
    """One complaint (khiếu nại) on one item (S10 number) or one dossier (code).

    ``answer_due`` follows Postal Law Art. 39 / Decision 45/2016 Art. 11 (``rules``);
    ``admissible_until`` the time limit to lodge it. ``code`` is what the citizen uses to
    follow it on the public site (no personal data shown there).
    """

    code = models.CharField(_("mã khiếu nại"), max_length=16, unique=True)
    subject = models.CharField(_("đối tượng"), max_length=10, choices=Subject.choices)
    subject_number = models.CharField(_("số hiệu / số phiếu"), max_length=20)
    item = models.ForeignKey(
        "items.Item", on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("đơn vị chịu trách nhiệm"),
    )
    channel = models.CharField(_("kênh tiếp nhận"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("nội dung khiếu nại"), max_length=20, choices=Kind.choices)
    complainant_name = models.CharField(_("họ tên người khiếu nại"), max_length=150)
    complainant_phone = models.CharField(_("điện thoại"), max_length=20)
    description = models.TextField(_("mô tả"), blank=True)
    international = models.BooleanField(_("bưu gửi quốc tế"), default=False)
    between_provinces = models.BooleanField(_("liên tỉnh"), default=False)
    received_on = models.DateField(_("ngày tiếp nhận"))
    admissible_until = models.DateField(_("hạn khiếu nại"), null=True, blank=True)
    admissible = models.BooleanField(_("trong thời hạn khiếu nại"), default=True)
    answer_due = models.DateField(_("hạn trả lời"))
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    outcome = models.CharField(_("kết luận"), max_length=10, choices=Outcome.choices, blank=True)
    answer_text = models.TextField(_("nội dung trả lời"), blank=True)
    answered_on = models.DateField(_("ngày trả lời"), null=True, blank=True)
    lost = models.BooleanField(_("bưu gửi/hồ sơ bị mất"), default=False)
    damaged = models.BooleanField(_("bưu gửi/hồ sơ bị hư hỏng"), default=False)
    compensation_basis = models.CharField(_("căn cứ bồi thường"), max_length=30, blank=True)
    compensation_amount = models.PositiveBigIntegerField(_("số tiền bồi thường (đồng)"), default=0)
    sdr_rate = models.PositiveIntegerField(_("tỷ giá SDR (đồng)"), default=0)
    decided_on = models.DateField(_("ngày quyết định bồi thường"), null=True, blank=True)
    paid_on = models.DateField(_("ngày chi trả bồi thường"), null=True, blank=True)
    submit_token = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("khiếu nại")
        verbose_name_plural = _("khiếu nại")
        ordering = ["answer_due", "id"]
        indexes = [
            models.Index(fields=["office", "status", "answer_due"], name="complaint_worklist_idx"),
            models.Index(fields=["answer_due", "id"], name="complaint_due_idx"),
            models.Index(fields=["received_on"], name="complaint_received_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submit_token"],
                condition=~Q(submit_token=""),
                name="complaint_submit_token_unique",
            ),
            models.CheckConstraint(
                condition=(Q(subject="item", item__isnull=False, dossier__isnull=True))
                | (Q(subject="dossier", dossier__isnull=False, item__isnull=True)),
                name="complaint_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in rules.OPEN_STATUSES

    @property
    def payment_due(self):
        return rules.payment_due(self.decided_on) if self.decided_on else None

    def is_overdue(self, today) -> bool:
        return rules.is_overdue(self.answer_due, self.answered_on, today)

    def payment_late(self, today) -> bool:
        if not self.decided_on or not self.compensation_amount:
            return False
        return rules.payment_late(self.decided_on, self.paid_on, today)


class IncidentKind(models.TextChoices):
    LOSS = "loss", _("Mất")
    DAMAGE = "damage", _("Hư hỏng, suy suyển")
    SAFETY = "safety", _("Sự cố an toàn")


class Incident(models.Model):
    """A loss, damage or safety incident: found internally or established by an upheld
    complaint (``complaint`` set). The report's lost/damaged counts and the dossier safety
    rate (Circular 17/2017 Art. 6: 100% without loss or damage) count these rows.
    """

    office = models.ForeignKey("network.Office", on_delete=models.PROTECT, related_name="incidents")
    kind = models.CharField(_("loại sự cố"), max_length=10, choices=IncidentKind.choices)
    item = models.ForeignKey(
        "items.Item", on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    found_on = models.DateField(_("ngày phát hiện"))
    description = models.TextField(_("mô tả"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sự cố")
        verbose_name_plural = _("sự cố")
        ordering = ["-found_on", "-id"]
        indexes = [models.Index(fields=["office", "found_on"], name="incident_office_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "kind"],
                condition=Q(complaint__isnull=False),
                name="incident_one_per_complaint_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.found_on}"
