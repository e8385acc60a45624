"""Pension and social-benefit payouts (issue #5; domain reference §2).

A paying agency (BHXH, the social-affairs office) sends a monthly payroll per programme; the
post office pays each line once, in cash, at a payout point or at home, checks the ID
document, numbers a receipt, and reports paid and unpaid people after the month.
Money is integer đồng (``BigIntegerField``), never floats.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from postops.core.models import AppendOnlyModel

from . import rules


class Programme(models.Model):
    """A benefit programme and its rules, as data (seeded by a data migration).

    ``bhxh`` social-insurance pensions and benefits, ``btxh`` social assistance, ``ncc``
    people with meritorious service. ``rules_source`` says where each number comes from.
    """

    code = models.SlugField(_("mã"), max_length=20, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    suspend_after_months = models.PositiveSmallIntegerField(
        _("số tháng không nhận thì tạm dừng"),
        null=True,
        blank=True,
        help_text=_("Để trống nếu chương trình không có quy định này."),
    )
    home_payout_age = models.PositiveSmallIntegerField(
        _("tuổi được chi trả tại nhà"),
        null=True,
        blank=True,
        help_text=_("Để trống nếu không có quy định theo tuổi."),
    )
    max_authorisation_months = models.PositiveSmallIntegerField(
        _("thời hạn ủy quyền tối đa (tháng)"), default=12
    )
    rules_source = models.TextField(_("căn cứ"), blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("chương trình chi trả")
        verbose_name_plural = _("chương trình chi trả")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_authorisation_months__gte=1),
                name="programme_authorisation_months_positive",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PayrollPeriod(models.Model):
    """One programme's payroll for one month, moving through its statuses.

    imported → checked → approved → paying → closed → reported (``rules.PERIOD_TRANSITIONS``).
    Approval freezes the list (counts and total kept as a snapshot); the approver must not
    be the importer (four-eyes rule, enforced by a constraint).
    """

    class Status(models.TextChoices):
        IMPORTED = rules.IMPORTED, _("Đã nhập")
        CHECKED = rules.CHECKED, _("Đã kiểm tra")
        APPROVED = rules.APPROVED, _("Đã duyệt")
        PAYING = rules.PAYING, _("Đang chi trả")
        CLOSED = rules.CLOSED, _("Đã khóa sổ")
        REPORTED = rules.REPORTED, _("Đã báo cáo")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="periods", verbose_name=_("chương trình")
    )
    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng."))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.IMPORTED
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nhập"),
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người kiểm tra"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người duyệt"),
    )
    approved_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    approved_line_count = models.PositiveIntegerField(_("số dòng khi duyệt"), null=True, blank=True)
    approved_total = models.BigIntegerField(_("tổng tiền khi duyệt (đồng)"), null=True, blank=True)
    # Month-end report handed to the paying agency (status "reported", ``period_mark_reported``):
    # who sent it, when it was delivered, the agency's reference (dispatch or receipt number)
    # and the SHA-256 of the report's content, so the copy the agency holds can be matched.
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người gửi báo cáo"),
    )
    reported_at = models.DateTimeField(_("gửi báo cáo lúc"), null=True, blank=True)
    report_reference = models.CharField(_("số văn bản/biên nhận"), max_length=100, blank=True)
    report_sha256 = models.CharField(_("mã kiểm tra báo cáo"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kỳ chi trả")
        verbose_name_plural = _("kỳ chi trả")
        ordering = ["-month", "programme__code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "month"], name="payroll_period_unique"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(imported_by__isnull=True)
                | ~Q(approved_by=F("imported_by")),
                name="payroll_period_approver_not_importer",
            ),
            models.CheckConstraint(
                condition=~Q(status="reported")
                | (Q(reported_at__isnull=False) & ~Q(report_sha256="")),
                name="payroll_period_reported_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} {rules.format_period(self.month)}"

    @property
    def label(self) -> str:
        return rules.format_period(self.month)


class Beneficiary(models.Model):
    """A person entitled to a programme's payments: one record per person and programme.

    ``code`` is the paying agency's number (unique within the programme); ``id_number`` the
    12-digit citizen ID number (domain reference §4), personal data: reads are audited.
    ``address`` keeps the text as the agency wrote it; ``commune`` is the 2025 commune.
    """

    class Sex(models.TextChoices):
        MALE = "M", _("Nam")
        FEMALE = "F", _("Nữ")

    # Indexes are few on purpose: every one is paid for on each of a payroll's ~100,000 rows
    # (the unique (programme, code) index serves lookups by programme).
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="beneficiaries",
        verbose_name=_("chương trình"),
        db_index=False,
    )
    code = models.CharField(_("mã số"), max_length=40)
    full_name = models.CharField(_("họ và tên"), max_length=150)
    # fold(full_name): what "name without diacritics" search matches (a substring match,
    # which a b-tree index does not serve: on PostgreSQL a pg_trgm GIN index does,
    # migration 0012; docs/benchmarks.md).
    search_name = models.CharField(max_length=150, editable=False)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices, blank=True)
    id_number = models.CharField(_("số CCCD"), max_length=12)
    passport_number = models.CharField(_("số hộ chiếu"), max_length=20, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    # Thôn/bản/xóm: from the file's village column, else read from the address
    # (``rules.village_from_address``); payout lists are ordered by it.
    village = models.CharField(_("thôn, bản"), max_length=100, blank=True)
    commune = models.ForeignKey(
        "network.Commune",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("xã/phường"),
        db_index=False,
    )
    default_payout_point = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("điểm chi trả mặc định"),
    )
    is_suspended = models.BooleanField(_("tạm dừng chi trả"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("đối tượng hưởng")
        verbose_name_plural = _("đối tượng hưởng")
        ordering = ["search_name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="beneficiary_code_unique"),
            models.UniqueConstraint(
                fields=["programme", "id_number"],
                condition=~Q(id_number=""),
                name="beneficiary_person_unique",
            ),
        ]
        indexes = [
            # Exact matches only (the teller's search by ID number): a plain b-tree, without
            # the LIKE-pattern copy Django adds for db_index on a text column. Nothing reads
            # people by commune, so that foreign key has no index.
            models.Index(fields=["id_number"], name="beneficiary_id_number_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.full_name}"

    def save(self, *args, **kwargs):
        from postops.core.text import fold

        self.search_name = fold(self.full_name)
        super().save(*args, **kwargs)

    @property
    def identity(self) -> rules.IdentityRecord:
        return rules.IdentityRecord(self.id_number, self.passport_number)


class Proxy(models.Model):
    """A person authorised in writing to collect a beneficiary's payments.

    Law 41/2024/QH15: an authorisation lasts at most 12 months (the programme's
    ``max_authorisation_months``) and must be certified. The proxy shows their own ID.
    """

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="proxies", verbose_name=_("người hưởng")
    )
    full_name = models.CharField(_("họ và tên người được ủy quyền"), max_length=150)
    id_document_type = models.CharField(
        _("loại giấy tờ"),
        max_length=10,
        choices=[(rules.CCCD, _("Thẻ căn cước/CCCD")), (rules.PASSPORT, _("Hộ chiếu"))],
        default=rules.CCCD,
    )
    id_number = models.CharField(_("số giấy tờ"), max_length=20)
    authorisation_number = models.CharField(_("số giấy ủy quyền"), max_length=50)
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"))
    certified = models.BooleanField(_("đã chứng thực"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The beneficiary may withdraw an authorisation before it ends (proxy_revoke); the row
    # stays, with who recorded the withdrawal and why.
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi thu hồi"),
    )
    revoke_reason = models.CharField(_("lý do thu hồi"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("người được ủy quyền")
        verbose_name_plural = _("người được ủy quyền")
        ordering = ["-valid_to"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="proxy_valid_range"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="proxy_revoke_reason_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.authorisation_number})"

    @property
    def identity(self) -> rules.IdentityRecord:
        if self.id_document_type == rules.PASSPORT:
            return rules.IdentityRecord("", self.id_number)
        return rules.IdentityRecord(self.id_number)

    def valid_on(self, day) -> bool:
        return self.revoked_at is None and rules.authorisation_valid_on(
            self.valid_from, self.valid_to, self.certified, day
        )

    def state_on(self, day) -> str:
        """``revoked``, ``uncertified``, ``not_yet``, ``expired`` or ``valid``."""
        if self.revoked_at is not None:
            return "revoked"
        if not self.certified:
            return "uncertified"
        if day < self.valid_from:
            return "not_yet"
        if day > self.valid_to:
            return "expired"
        return "valid"


class ImportJob(models.Model):
    """One payroll file import: counters and the per-row error report.

    Kept here until ``postops.core`` offers a generic import job. ``file_sha256`` plus the
    period makes a re-import of the same file a no-op. While the job runs, ``stage`` and
    the counters are written after every batch (committed), so a page can show progress
    against ``rows_expected`` (an estimate from the file's line count).
    """

    class Stage(models.TextChoices):
        QUEUED = "", _("Chờ")
        READING = "reading", _("Đang đọc và kiểm tra")
        WRITING = "writing", _("Đang ghi dữ liệu")
        FINISHED = "finished", _("Xong")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xử lý")
        RUNNING = "running", _("Đang xử lý")
        DONE = "done", _("Hoàn thành")
        REJECTED = "rejected", _("Bị từ chối (có lỗi)")
        DUPLICATE = "duplicate", _("Tệp đã nhập trước đó")
        FAILED = "failed", _("Lỗi hệ thống")

    period = models.ForeignKey(
        PayrollPeriod, on_delete=models.PROTECT, related_name="imports", verbose_name=_("kỳ")
    )
    file = models.FileField(_("tệp"), upload_to="payroll-imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    valid_only = models.BooleanField(_("chỉ nhập các dòng hợp lệ"), default=False)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    total = models.PositiveIntegerField(_("tổng số dòng"), default=0)
    valid = models.PositiveIntegerField(_("dòng hợp lệ"), default=0)
    invalid = models.PositiveIntegerField(_("dòng lỗi"), default=0)
    created_lines = models.PositiveIntegerField(_("dòng chi trả đã tạo"), default=0)
    updated_lines = models.PositiveIntegerField(_("dòng chi trả đã sửa"), default=0)
    created_beneficiaries = models.PositiveIntegerField(_("đối tượng mới"), default=0)
    updated_beneficiaries = models.PositiveIntegerField(_("đối tượng cập nhật"), default=0)
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    stage = models.CharField(
        _("bước"), max_length=10, choices=Stage.choices, default=Stage.QUEUED, blank=True
    )
    rows_expected = models.PositiveIntegerField(_("số dòng ước tính"), null=True, blank=True)
    # The rejected job whose file this one imports again, keeping only the valid rows.
    retry_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="retries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lượt nhập danh sách")
        verbose_name_plural = _("lượt nhập danh sách")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.period} {self.file_name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def progress_percent(self) -> int | None:
        """Rows read against the estimate, 0–99 while running (``None``: no estimate)."""
        if self.is_finished:
            return 100
        if not self.rows_expected:
            return None
        return min(99, self.total * 100 // self.rows_expected)

    def report(self) -> dict:
        """The public shape of a job (CLI, API): status, counters and row errors."""
        return {
            "status": self.status,
            "total": self.total,
            "valid": self.valid,
            "invalid": self.invalid,
            "errors": self.errors,
        }

    def progress_report(self) -> dict:
        """``report()`` plus ``processed`` (rows read so far) and ``percent`` (the page's
        progress bar, ``progress_percent``): what the API answers while a job runs."""
        return {**self.report(), "processed": self.total, "percent": self.progress_percent}


class PayrollLine(models.Model):
    """What one beneficiary is to be paid in one period, and where.

    ``amount`` is the sum due for the ``months`` the line covers (two months may be paid
    together at Tết or after a disaster); ``arrears`` is back pay on top. Paid means a
    ``Payout`` exists for the line; ``carried_from`` links an unpaid line moved on at month end.
    A person has one line of their own per period (the imported one) and may have carried
    lines next to it; each line is paid once.
    """

    period = models.ForeignKey(
        PayrollPeriod, on_delete=models.PROTECT, related_name="lines", verbose_name=_("kỳ")
    )
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="lines", verbose_name=_("người hưởng")
    )
    # Served by the (payout_point, period) index below.
    payout_point = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("điểm chi trả"),
        db_index=False,
    )
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    arrears = models.BigIntegerField(_("truy lĩnh (đồng)"), default=0)
    months = models.PositiveSmallIntegerField(_("số tháng"), default=1)
    home_payout = models.BooleanField(_("chi tại nhà"), default=False)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    row_number = models.PositiveIntegerField(_("dòng trong tệp"), null=True, blank=True)
    # Provenance only; jobs are never deleted, so no index is kept for it.
    import_job = models.ForeignKey(
        ImportJob,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
        db_index=False,
    )
    # Indexed by the unique constraint ``payroll_line_carried_once``.
    carried_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("dòng chi trả")
        verbose_name_plural = _("dòng chi trả")
        ordering = ["period", "payout_point", "beneficiary__search_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "beneficiary"],
                condition=Q(carried_from__isnull=True),
                name="payroll_line_unique",
            ),
            # Carrying an unpaid line over is idempotent: one carried copy per line. Partial,
            # so the imported lines (carried_from empty) cost the index nothing.
            models.UniqueConstraint(
                fields=["carried_from"],
                condition=Q(carried_from__isnull=False),
                name="payroll_line_carried_once",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payroll_line_amount_gte_0"),
            models.CheckConstraint(condition=Q(arrears__gte=0), name="payroll_line_arrears_gte_0"),
            models.CheckConstraint(condition=Q(months__in=[1, 2]), name="payroll_line_months_1_2"),
        ]
        indexes = [models.Index(fields=["payout_point", "period"], name="payroll_line_point_idx")]

    def __str__(self) -> str:
        return f"{self.period} {self.beneficiary.code}"

    @property
    def total(self) -> int:
        return self.amount + self.arrears


class ReceiptCounter(models.Model):
    """The last receipt number used per office and year (row-locked when a payout is made).

    Taking the next number in the payout's own transaction, under a row lock, keeps the
    sequence free of gaps: a rolled-back payout also rolls back its number.
    """

    office = models.ForeignKey("network.Office", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="receipt_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.year}: {self.last_number}"


class Payout(AppendOnlyModel):
    """A payment made for one payroll line. Append-only; exactly one per line.

    ``UniqueConstraint(line)`` stops a second payment whatever the path (double click,
    retry, two tellers); ``idempotency_key`` lets a client replay its request and get the
    first answer back (Stripe's rule). ``paid_at`` is the device's time of payment,
    ``recorded_at`` the server's. The ID document shown is kept as proof of the check.
    """

    class Receiver(models.TextChoices):
        SELF = "self", _("Người hưởng")
        PROXY = "proxy", _("Người được ủy quyền")

    line = models.ForeignKey(
        PayrollLine, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("dòng")
    )
    idempotency_key = models.CharField(max_length=64, unique=True)
    receiver = models.CharField(_("người nhận"), max_length=5, choices=Receiver.choices)
    proxy = models.ForeignKey(
        Proxy, on_delete=models.PROTECT, null=True, blank=True, related_name="payouts"
    )
    id_document_type = models.CharField(
        _("loại giấy tờ"),
        max_length=10,
        choices=[(rules.CCCD, _("Thẻ căn cước/CCCD")), (rules.PASSPORT, _("Hộ chiếu"))],
    )
    id_document_number = models.CharField(_("số giấy tờ"), max_length=20)
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    teller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người chi"),
    )
    office = models.ForeignKey(
        "network.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị chi")
    )
    paid_at = models.DateTimeField(_("thời điểm chi"))
    recorded_at = models.DateTimeField(_("thời điểm ghi nhận"), auto_now_add=True)
    receipt_year = models.PositiveSmallIntegerField()
    receipt_sequence = models.PositiveIntegerField()
    receipt_number = models.CharField(_("số biên nhận"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("lượt chi trả")
        verbose_name_plural = _("lượt chi trả")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["line"], name="payout_one_per_line"),
            models.UniqueConstraint(
                fields=["office", "receipt_year", "receipt_sequence"],
                name="payout_receipt_sequence_unique",
            ),
            models.CheckConstraint(
                condition=(Q(receiver="self") & Q(proxy__isnull=True))
                | (Q(receiver="proxy") & Q(proxy__isnull=False)),
                name="payout_proxy_iff_receiver_proxy",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payout_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return self.receipt_number


class PayoutReversal(AppendOnlyModel):
    """A supervisor's reversal of a payout (wrong person, wrong amount), with a reason.

    The payout row stays (append-only); this row says it no longer counts. The line is
    not paid again in the same period: month end carries it to the next one.
    """

    payout = models.OneToOneField(
        Payout, on_delete=models.PROTECT, related_name="reversal", verbose_name=_("lượt chi")
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người hủy"),
    )
    reason = models.TextField(_("lý do"))
    reversed_at = models.DateTimeField(_("thời điểm hủy"), auto_now_add=True)

    class Meta:
        verbose_name = _("hủy lượt chi")
        verbose_name_plural = _("hủy lượt chi")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="payout_reversal_reason_required")
        ]

    def __str__(self) -> str:
        return f"{self.payout_id} reversed"


class PayoutSchedule(models.Model):
    """When a payout point pays a period: a range of days, and where or when exactly.

    Domain reference §2: payouts at commune points concentrate on days 2–10 of the month,
    post offices pay later (e.g. 11–25). The days are set per point and period because they
    move with holidays and staff; both fall inside the period's month.
    """

    period = models.ForeignKey(
        PayrollPeriod, on_delete=models.PROTECT, related_name="schedule", verbose_name=_("kỳ")
    )
    point = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("điểm chi trả"),
    )
    first_day = models.DateField(_("từ ngày"))
    last_day = models.DateField(_("đến ngày"))
    note = models.CharField(
        _("ghi chú"), max_length=200, blank=True, help_text=_("Ví dụ: nhà văn hóa thôn, 7h30–11h.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lịch chi trả")
        verbose_name_plural = _("lịch chi trả")
        ordering = ["period", "first_day", "point__code"]
        constraints = [
            models.UniqueConstraint(fields=["period", "point"], name="payout_schedule_unique"),
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="payout_schedule_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.point_id}: {self.first_day}–{self.last_day}"


class PayoutScheduleException(models.Model):
    """A day a supervisor opened for payouts at a point outside its schedule.

    The schedule binds every payout at the point (``rules.schedule_allows``); an exception
    (a late delivery of cash, a storm that moved the village session) lets the point pay on
    that one day, for any period. Recorded with who opened it and why, and audited.
    """

    point = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("điểm chi trả"),
        db_index=False,
    )
    day = models.DateField(_("ngày"))
    reason = models.CharField(_("lý do"), max_length=300)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người mở"),
    )
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ngày chi trả ngoài lịch")
        verbose_name_plural = _("ngày chi trả ngoài lịch")
        ordering = ["-day", "point__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["point", "day"], name="payout_schedule_exception_unique"
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="payout_schedule_exception_reason_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point_id}: {self.day}"


class CashDay(models.Model):
    """One cash book for one day: a whole payout point's, or one teller's at a point.

    Cash advanced, returned and counted are append-only ``CashMovement`` rows; cash paid
    out is derived from the payouts (never typed). Closing snapshots the figures; a day
    with a variance closes only after a supervisor signed off a reason for exactly that
    variance (``CashVarianceSignoff``). Issue #5, item 8.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Đang mở")
        CLOSED = "closed", _("Đã chốt")

    office = models.ForeignKey(
        "network.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    # Empty: the point's own book (all its tellers); set: one teller's book at the point.
    teller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người chi"),
    )
    day = models.DateField(_("ngày"))
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The figures at closing time (đồng).
    closed_advanced = models.BigIntegerField(null=True, blank=True)
    closed_paid_out = models.BigIntegerField(null=True, blank=True)
    closed_returned = models.BigIntegerField(null=True, blank=True)
    closed_counted = models.BigIntegerField(null=True, blank=True)
    closed_variance = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("sổ quỹ ngày")
        verbose_name_plural = _("sổ quỹ ngày")
        ordering = ["-day", "office__code", "teller__username"]
        constraints = [
            # NULLs are distinct in a unique index: the point's book needs its own rule.
            models.UniqueConstraint(
                fields=["office", "day"],
                condition=Q(teller__isnull=True),
                name="cash_day_point_unique",
            ),
            models.UniqueConstraint(
                fields=["office", "teller", "day"],
                condition=Q(teller__isnull=False),
                name="cash_day_teller_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="open")
                | Q(closed_at__isnull=False, closed_counted__isnull=False),
                name="cash_day_closed_has_figures",
            ),
        ]

    def __str__(self) -> str:
        who = self.teller_id or "*"
        return f"{self.office_id}/{who} {self.day}"


class CashMovement(AppendOnlyModel):
    """Cash handed to the book (advance), handed back (return), or counted at the end."""

    class Kind(models.TextChoices):
        ADVANCE = "advance", _("Tạm ứng tiền mặt")
        RETURN = "return", _("Nộp lại tiền thừa")
        COUNT = "count", _("Kiểm đếm cuối ngày")

    cash_day = models.ForeignKey(
        CashDay, on_delete=models.PROTECT, related_name="movements", verbose_name=_("sổ quỹ")
    )
    kind = models.CharField(_("loại"), max_length=8, choices=Kind.choices)
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # The API client's Idempotency-Key: a retried request records the movement once.
    # Null for movements typed on the page (NULLs do not collide in the unique index).
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("phát sinh quỹ")
        verbose_name_plural = _("phát sinh quỹ")
        ordering = ["recorded_at", "id"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="cash_movement_amount_gte_0")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class CashVarianceSignoff(AppendOnlyModel):
    """A supervisor's sign-off of a cash variance, with the reason. Covers exactly the
    variance it names: if the figures move afterwards, a new sign-off is needed."""

    cash_day = models.ForeignKey(
        CashDay, on_delete=models.PROTECT, related_name="signoffs", verbose_name=_("sổ quỹ")
    )
    variance = models.BigIntegerField(_("chênh lệch (đồng)"))
    reason = models.TextField(_("lý do"))
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người ký xác nhận"),
    )
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("xác nhận chênh lệch quỹ")
        verbose_name_plural = _("xác nhận chênh lệch quỹ")
        ordering = ["signed_at", "id"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="cash_signoff_reason_required"),
            models.CheckConstraint(condition=~Q(variance=0), name="cash_signoff_variance_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.cash_day_id}: {self.variance}"


class SuspensionFlag(models.Model):
    """A person who has not collected for the programme's number of months (month end).

    Social assistance: a beneficiary who does not collect for 3 consecutive months is
    suspended (domain reference §2; ``Programme.suspend_after_months``). Month end only
    flags; a supervisor suspends the person or dismisses the flag, with a reason.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Chờ xử lý")
        SUSPENDED = "suspended", _("Đã tạm dừng chi trả")
        DISMISSED = "dismissed", _("Không tạm dừng")

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="+", verbose_name=_("người hưởng")
    )
    period = models.ForeignKey(
        PayrollPeriod, on_delete=models.PROTECT, related_name="suspension_flags"
    )
    months_uncollected = models.PositiveSmallIntegerField(_("số tháng không nhận"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đề nghị tạm dừng chi trả")
        verbose_name_plural = _("đề nghị tạm dừng chi trả")
        ordering = ["period", "beneficiary__search_name"]
        constraints = [
            models.UniqueConstraint(fields=["beneficiary", "period"], name="suspension_flag_unique")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.beneficiary_id}"
