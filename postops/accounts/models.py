from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Staff roles. Each is a Django group named by its slug (created by a data migration)."""

    CLERK = "clerk", _("Giao dịch viên")
    POSTMAN = "postman", _("Bưu tá")
    TELLER = "teller", _("Nhân viên chi trả")
    BDVHX = "bdvhx", _("Nhân viên BĐVHX")
    SUPERVISOR = "supervisor", _("Trưởng bưu cục")
    MANAGER = "manager", _("Lãnh đạo bưu điện tỉnh")
    AGENCY = "agency", _("Cán bộ cơ quan hành chính")
    COMPLAINTS = "complaints", _("Nhân viên khiếu nại")
    AUDITOR = "auditor", _("Kiểm soát viên (chỉ xem)")
    ADMIN = "admin", _("Quản trị hệ thống")
    PARTNER = "partner", _("Đối tác (hệ thống khách hàng)")


# Roles that must pass TOTP two-factor before using the staff UI.
TWO_FACTOR_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})


class User(AbstractUser):
    """A staff member (or a partner system's owner). Custom from day one (Django docs)."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    offices = models.ManyToManyField(
        "network.Office", blank=True, related_name="staff", verbose_name=_("đơn vị công tác")
    )

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username


class LoginFailure(models.Model):
    """A failed login, kept to lock a username or an address after repeated failures."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("đăng nhập thất bại")
        verbose_name_plural = _("đăng nhập thất bại")

    def __str__(self) -> str:
        return f"{self.username} {self.occurred_at:%Y-%m-%d %H:%M}"


class ApiKey(models.Model):
    """A key a partner system sends as ``Authorization: Bearer <key>``.

    Only a SHA-256 hash of the key is stored; ``prefix`` (the first characters) lets staff
    recognise a key in lists. The key acts with one role, within its offices, or, for an
    agency's system (role ``agency``), for its one ``agency`` (issue #2, item 9).
    """

    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(_("tiền tố"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    offices = models.ManyToManyField(
        "network.Office", blank=True, related_name="api_keys", verbose_name=_("đơn vị")
    )
    agency = models.ForeignKey(
        "dossiers.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_keys",
        verbose_name=_("cơ quan"),
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("khóa API")
        verbose_name_plural = _("khóa API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
