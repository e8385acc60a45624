"""Administrative-procedure dossiers carried by the public postal service (BCCI).

Agencies and their officers, the procedure catalogue, dossiers with their append-only status
history, handover records to the agencies, and the configuration of the post's end-to-end
times. Rules live in :mod:`postops.dossiers.rules`; writes in ``services``; reads in
``selectors``. Money is integer đồng.
"""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from postops.core.models import AppendOnlyModel
from postops.network.models import address_mixin

from . import rules

agency_code_validator = RegexValidator(
    rf"^{rules.AGENCY_CODE_RE.pattern}$",
    _("Mã cơ quan gồm chữ in hoa, chữ số, dấu chấm hoặc gạch dưới (tối đa 30 ký tự)."),
)


class Agency(models.Model):
    """A government body that receives dossiers and issues results.

    One-stop desks (bộ phận một cửa), public administration service centres (Trung tâm Phục
    vụ hành chính công), provincial departments (sở, ngành) and commune people's committees
    (Decree 61/2018/NĐ-CP, Decree 118/2025/NĐ-CP). ``code`` starts the agency's own dossier
    numbers ``<code>-YYMMDD-XXXX`` (Circular 01/2018/TT-VPCP Art. 19).
    """

    class Kind(models.TextChoices):
        ONE_STOP = "one_stop", _("Bộ phận một cửa")
        SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        COMMUNE_COMMITTEE = "commune_committee", _("Ủy ban nhân dân xã/phường")

    code = models.CharField(_("mã"), max_length=30, unique=True, validators=[agency_code_validator])
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    commune = models.ForeignKey(
        "network.Commune",
        on_delete=models.PROTECT,
        related_name="agencies",
        verbose_name=_("xã/phường"),
    )
    street = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("cơ quan cấp trên"),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    # fold(code + name): what search matches against (set by the services).
    search_name = models.CharField(max_length=300, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("cơ quan hành chính")
        verbose_name_plural = _("cơ quan hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AgencyOfficer(models.Model):
    """Links a user with the ``agency`` role to the one agency they work for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agency_link",
        verbose_name=_("người dùng"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="officers", verbose_name=_("cơ quan")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cán bộ cơ quan")
        verbose_name_plural = _("cán bộ cơ quan")

    def __str__(self) -> str:
        return f"{self.user} · {self.agency.code}"


# --- Procedure catalogue ---------------------------------------------------------------------


class Procedure(models.Model):
    """An administrative procedure as the agency publishes it (national/provincial catalogue).

    ``postal_allowed``: the procedure may be filed and/or returned through the public postal
    service (Decision 45/2016/QĐ-TTg Art. 4; the province publishes the list). The agency's
    fee is collected by the post on its behalf (Art. 6(4)); the processing time is counted
    in working days from the filing time.
    """

    class Level(models.TextChoices):
        CENTRAL = "central", _("Trung ương")
        PROVINCE = "province", _("Cấp tỉnh")
        COMMUNE = "commune", _("Cấp xã")

    code = models.CharField(_("mã thủ tục"), max_length=30, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("cơ quan")
    )
    level = models.CharField(_("cấp thực hiện"), max_length=10, choices=Level.choices)
    postal_allowed = models.BooleanField(_("nhận/trả qua bưu chính"), default=True)
    agency_fee = models.PositiveBigIntegerField(_("phí, lệ phí (đồng)"), default=0)
    processing_days = models.PositiveSmallIntegerField(_("thời hạn giải quyết (ngày làm việc)"))
    same_day = models.BooleanField(_("trả trong ngày"), default=False)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    # fold(code + name): "ly lich tu phap" finds "Lý lịch tư pháp" (set by the services).
    search_name = models.CharField(max_length=600, blank=True, default="", editable=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DocumentKind(models.TextChoices):
    ORIGINAL = rules.DocumentKind.ORIGINAL, _("Bản chính")
    COPY = rules.DocumentKind.COPY, _("Bản sao")
    EITHER = rules.DocumentKind.EITHER, _("Bản chính hoặc bản sao")


class ReceivedKind(models.TextChoices):
    ORIGINAL = rules.DocumentKind.ORIGINAL, _("Bản chính")
    COPY = rules.DocumentKind.COPY, _("Bản sao")


class ProcedureDocument(models.Model):
    """One document of a procedure's published list (the agency's list prevails)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    kind = models.CharField(_("loại bản"), max_length=10, choices=DocumentKind.choices)
    count = models.PositiveSmallIntegerField(
        _("số lượng"), default=1, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("giấy tờ phải nộp")
        verbose_name_plural = _("giấy tờ phải nộp")
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "position"], name="proceduredocument_position_unique"
            ),
            models.CheckConstraint(condition=Q(count__gte=1), name="proceduredocument_count_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}, {self.count})"


# --- End-to-end time configuration -----------------------------------------------------------


class LegZone(models.TextChoices):
    SAME_COMMUNE = "same_commune", _("Trong một xã/phường")
    SAME_PROVINCE = "same_province", _("Trong một tỉnh")
    OTHER_PROVINCE = "other_province", _("Liên tỉnh")


class LegStandard(models.Model):
    """The post's end-to-end time for one leg: J+``days`` (J+``days_with_slip`` when an
    appointment slip must also be delivered), Circular 17/2017/TT-BTTTT Art. 7.

    Configuration, not code: districts were abolished on 1 July 2025 and no amended table
    is known, so the rows map today's zones (same commune, same province, another province,
    optionally a given destination province) to the circular's figures; a row with a
    ``destination_province`` beats the zone's general row.
    """

    zone = models.CharField(_("phạm vi"), max_length=20, choices=LegZone.choices)
    destination_province = models.ForeignKey(
        "network.Province",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tỉnh/thành phố đến"),
    )
    days = models.PositiveSmallIntegerField(_("số ngày làm việc (J+n)"))
    days_with_slip = models.PositiveSmallIntegerField(_("J+n khi trả kèm giấy hẹn"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu thời gian toàn trình")
        verbose_name_plural = _("chỉ tiêu thời gian toàn trình")
        ordering = ["zone", "destination_province"]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "destination_province"], name="legstandard_zone_province_unique"
            ),
            models.UniqueConstraint(
                fields=["zone"],
                condition=Q(destination_province__isnull=True),
                name="legstandard_zone_general_unique",
            ),
        ]

    def __str__(self) -> str:
        where = f" → {self.destination_province_id}" if self.destination_province_id else ""
        return f"{self.zone}{where}: J+{self.days} / J+{self.days_with_slip}"


# --- Dossiers --------------------------------------------------------------------------------


class DailySequence(models.Model):
    """The last number handed out per (name, day): dossier codes, handover record codes."""

    name = models.CharField(max_length=10)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "day"], name="dailysequence_name_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.day:%Y-%m-%d}: {self.last}"


class ServiceForm(models.TextChoices):
    SEND = rules.ServiceForm.SEND, _("Chỉ gửi hồ sơ")
    RETURN = rules.ServiceForm.RETURN, _("Chỉ nhận kết quả")
    BOTH = rules.ServiceForm.BOTH, _("Gửi hồ sơ và nhận kết quả")


class DossierStatus(models.TextChoices):
    RECEIVED = rules.Status.RECEIVED, _("Đã nhận hồ sơ tại bưu điện")
    REGISTERED = rules.Status.REGISTERED, _("Đã đăng ký trả kết quả")
    IN_HANDOVER = rules.Status.IN_HANDOVER, _("Đang bàn giao cho cơ quan")
    FILED = rules.Status.FILED, _("Cơ quan đã tiếp nhận")
    RESULT_READY = rules.Status.RESULT_READY, _("Đã có kết quả")
    RESULT_COLLECTED = rules.Status.RESULT_COLLECTED, _("Bưu điện đã nhận kết quả")
    DELIVERED = rules.Status.DELIVERED, _("Đã trả kết quả cho người dân")
    RETURNED_TO_AGENCY = rules.Status.RETURNED_TO_AGENCY, _("Đã trả lại kết quả cho cơ quan")


class Channel(models.TextChoices):
    COUNTER = "counter", _("Tại quầy bưu điện")
    AGENCY = "agency", _("Cơ quan đăng ký")
    PICKUP = "pickup", _("Thu gom tại nhà")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Tiền mặt")
    TRANSFER = "transfer", _("Chuyển khoản")


ApplicantAddress = address_mixin("applicant", _("người nộp"), blank=True)
DeliveryAddress = address_mixin("delivery", _("nơi nhận kết quả"), blank=True)


class Handover(models.Model):
    """A handover record (biên bản giao nhận): one batch of dossiers for one agency.

    Decision 45/2016 Art. 6(5): the post and the agency count the dossiers again and both
    sign a record listing each dossier and its Phiếu gửi number; **the legal filing time is
    the moment it is signed** (``signed_at``, as written on the paper). ``confirmed_at`` is
    when the confirmation reached PostOps (server time).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Chờ cơ quan xác nhận")
        CONFIRMED = "confirmed", _("Cơ quan đã ký nhận")

    code = models.CharField(_("số biên bản"), max_length=20, unique=True)
    office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="dossier_handovers",
        verbose_name=_("bưu cục giao"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("cơ quan nhận")
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    dossier_count = models.PositiveIntegerField(_("số hồ sơ"))
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người lập"),
    )
    signed_at = models.DateTimeField(_("ký nhận lúc"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("xác nhận trên hệ thống lúc"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xác nhận"),
    )
    confirmed_by_label = models.CharField(_("xác nhận bởi"), max_length=150, blank=True)
    receiver_name = models.CharField(_("cán bộ nhận"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("biên bản giao nhận hồ sơ")
        verbose_name_plural = _("biên bản giao nhận hồ sơ")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "status"], name="handover_agency_status_idx")]

    def __str__(self) -> str:
        return self.code


class Dossier(ApplicantAddress, DeliveryAddress, models.Model):
    """One citizen's dossier (hồ sơ) for one procedure, and its result.

    ``status`` caches the latest :class:`DossierEvent`; only the services move it, with a
    compare-and-set update. ``received_at`` is J of the send leg (Circular 17 Art. 7).
    ``filed_at`` is the legal filing time (signing of the handover record), from which the
    agency's deadline ``agency_due`` runs; ``post_send_due`` is the post's deadline for the
    send leg. Money is integer đồng. The applicant's ID number is personal data (Law
    91/2025/QH15): views that show it log the read.
    """

    code = models.CharField(_("số phiếu gửi"), max_length=16, unique=True)
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("thủ tục")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("cơ quan")
    )
    service_form = models.CharField(_("hình thức"), max_length=10, choices=ServiceForm.choices)
    channel = models.CharField(_("kênh tiếp nhận"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=DossierStatus.choices, db_index=True
    )
    office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("bưu cục tiếp nhận"),
    )
    intake_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tiếp nhận"),
    )
    received_at = models.DateTimeField(_("tiếp nhận lúc"))
    applicant_name = models.CharField(_("họ tên người nộp"), max_length=150)
    applicant_id_number = models.CharField(_("số định danh cá nhân"), max_length=12)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    seal_number = models.CharField(_("số niêm phong"), max_length=40, blank=True)
    weight_g = models.PositiveIntegerField(_("khối lượng (g)"), default=0)
    postal_fee_send = models.PositiveBigIntegerField(_("cước chiều gửi (đồng)"), default=0)
    postal_fee_return = models.PositiveBigIntegerField(_("cước chiều trả (đồng)"), default=0)
    agency_fee = models.PositiveBigIntegerField(_("phí, lệ phí thu hộ (đồng)"), default=0)
    payment_method = models.CharField(
        _("hình thức thanh toán"),
        max_length=10,
        choices=PaymentMethod.choices,
        default=PaymentMethod.CASH,
    )
    tariff_version = models.ForeignKey(
        "items.TariffVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bảng cước"),
    )
    outbound_item = models.OneToOneField(
        "items.Item",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossier_outbound",
        verbose_name=_("bưu gửi chiều gửi"),
    )
    agency_number = models.CharField(_("số hồ sơ của cơ quan"), max_length=45, blank=True)
    handover = models.ForeignKey(
        Handover,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("biên bản giao nhận"),
    )
    filed_at = models.DateTimeField(_("thời điểm tiếp nhận hợp lệ"), null=True, blank=True)
    appointment_date = models.DateField(_("ngày hẹn trả kết quả"), null=True, blank=True)
    result_ready_on = models.DateField(_("ngày có kết quả"), null=True, blank=True)
    post_send_due = models.DateField(_("hạn chiều gửi của bưu điện"), null=True, blank=True)
    agency_due = models.DateField(_("hạn giải quyết của cơ quan"), null=True, blank=True)
    idempotency_scope = models.CharField(max_length=40, blank=True, default="")
    idempotency_key = models.CharField(max_length=64, blank=True, default="")
    request_hash = models.CharField(max_length=64, blank=True, default="")
    # Retention (postops.dossiers.retention): when the personal data was blanked.
    anonymised_at = models.DateTimeField(_("ẩn danh hóa lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The return leg (Decision 45/2016 Art. 9–10): collected at the agency, carried as the
    # return item, delivered against an ID document, or taken back to the agency.
    collection = models.ForeignKey(
        "ResultCollection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("biên bản nhận kết quả"),
    )
    collected_at = models.DateTimeField(_("nhận kết quả tại cơ quan lúc"), null=True, blank=True)
    return_item = models.OneToOneField(
        "items.Item",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossier_return",
        verbose_name=_("bưu gửi chiều trả"),
    )
    return_with_slip = models.BooleanField(_("trả kèm giấy hẹn"), default=False)
    post_return_due = models.DateField(_("hạn chiều trả của bưu điện"), null=True, blank=True)
    first_attempt_on = models.DateField(_("ngày phát lần đầu"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("đã trả kết quả lúc"), null=True, blank=True)
    recipient_relation = models.CharField(_("người nhận"), max_length=10, blank=True)
    authorisation_number = models.CharField(_("số giấy ủy quyền"), max_length=50, blank=True)
    authorisation_date = models.DateField(_("ngày giấy ủy quyền"), null=True, blank=True)
    result_return = models.ForeignKey(
        "ResultReturn",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("biên bản trả lại kết quả"),
    )
    returned_at = models.DateTimeField(_("trả lại cơ quan lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["office", "status", "agency"], name="dossier_office_status_idx"),
            models.Index(fields=["agency", "status"], name="dossier_agency_status_idx"),
            models.Index(fields=["received_at", "id"], name="dossier_received_idx"),
            # Worklists of overdue dossiers (postops.dossiers.worklists): one partial index
            # per cause, keyed by its due date, so each page is a range scan of open rows;
            # the office (the scope) rides along so the counts are index-only scans
            # (PostgreSQL; other databases ignore INCLUDE).
            models.Index(
                fields=["post_send_due", "id"],
                name="dossier_wl_send_idx",
                include=["office"],
                condition=Q(status__in=["received", "in_handover"]),
            ),
            models.Index(
                fields=["agency_due", "id"],
                name="dossier_wl_agency_idx",
                include=["office"],
                condition=Q(
                    status__in=["filed", "registered"], service_form__in=["return", "both"]
                ),
            ),
            models.Index(
                fields=["agency", "agency_due", "id"],
                name="dossier_wl_own_agency_idx",
                include=["office"],
                condition=Q(
                    status__in=["filed", "registered"], service_form__in=["return", "both"]
                ),
            ),
            models.Index(
                fields=["post_return_due", "id"],
                name="dossier_wl_return_idx",
                include=["office"],
                condition=Q(status="result_collected"),
            ),
            models.Index(
                fields=["result_ready_on", "id"],
                name="dossier_wl_waiting_idx",
                include=["office"],
                condition=Q(status="result_ready", service_form__in=["return", "both"]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="dossier_idempotency_unique",
            ),
            models.UniqueConstraint(
                fields=["agency", "agency_number"],
                condition=~Q(agency_number=""),
                name="dossier_agency_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def postal_fee(self) -> int:
        return self.postal_fee_send + self.postal_fee_return

    @property
    def total_fee(self) -> int:
        return self.postal_fee + self.agency_fee


class DossierDocument(models.Model):
    """A document handed in with the dossier, as listed on the Phiếu gửi."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(
        ProcedureDocument, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    kind = models.CharField(_("loại bản"), max_length=10, choices=ReceivedKind.choices)
    count = models.PositiveSmallIntegerField(_("số lượng"), default=1)

    class Meta:
        verbose_name = _("giấy tờ đã nhận")
        verbose_name_plural = _("giấy tờ đã nhận")
        ordering = ["dossier", "position"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}, {self.count})"


class DossierEvent(AppendOnlyModel):
    """One step of a dossier's history; never updated or deleted (database triggers too).

    ``occurred_at`` is when it happened (e.g. the signing written on the handover record),
    ``recorded_at`` when PostOps learnt of it.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(_("trạng thái"), max_length=20, choices=DossierStatus.choices)
    previous_status = models.CharField(_("trạng thái trước"), max_length=20, blank=True)
    occurred_at = models.DateTimeField(_("thời điểm"))
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    actor_label = models.CharField(_("định danh"), max_length=150, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("lịch sử hồ sơ")
        verbose_name_plural = _("lịch sử hồ sơ")
        ordering = ["occurred_at", "id"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.status} {self.occurred_at:%Y-%m-%d %H:%M}"


# --- The return leg --------------------------------------------------------------------------


class ResultCollection(models.Model):
    """A collection record (biên bản nhận kết quả): the results one post office took at one
    agency in one visit. Both sides count them and sign the printed record (Decision
    45/2016/QĐ-TTg Art. 9(1); Circular 17/2017/TT-BTTTT Art. 5(2))."""

    code = models.CharField(_("số biên bản"), max_length=20, unique=True)
    office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="dossier_collections",
        verbose_name=_("bưu cục nhận"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="collections", verbose_name=_("cơ quan giao")
    )
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nhận"),
    )

    class Meta:
        verbose_name = _("biên bản nhận kết quả")
        verbose_name_plural = _("biên bản nhận kết quả")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.code


class ResultReturn(models.Model):
    """A return record (biên bản trả lại kết quả): results the post could not hand to the
    citizen after two invitations two working days apart, taken back to the agency
    (Decision 45/2016/QĐ-TTg Art. 10; Circular 17/2017/TT-BTTTT Art. 5(2))."""

    code = models.CharField(_("số biên bản"), max_length=20, unique=True)
    office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="dossier_result_returns",
        verbose_name=_("bưu cục trả"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="result_returns",
        verbose_name=_("cơ quan nhận"),
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
    receiver_name = models.CharField(_("cán bộ nhận"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("biên bản trả lại kết quả")
        verbose_name_plural = _("biên bản trả lại kết quả")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.code
