from django.core.validators import RegexValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .address import SCHEME_2025, SCHEME_LEGACY

five_digits = RegexValidator(r"^\d{5}$", _("Cần đúng 5 chữ số."))
six_digits = RegexValidator(r"^\d{6}$", _("Cần đúng 6 chữ số."))


class Province(models.Model):
    """A province or centrally-run city since 1 July 2025 (34 units, 2-digit code)."""

    code = models.CharField(_("mã"), max_length=2, primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    division_type = models.CharField(_("loại"), max_length=40)
    codename = models.CharField(max_length=100)
    search_name = models.CharField(max_length=100, db_index=True)

    class Meta:
        verbose_name = _("tỉnh/thành phố")
        verbose_name_plural = _("tỉnh/thành phố")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A commune, ward or special zone since 1 July 2025 (3,321 units, 5-digit code)."""

    code = models.CharField(_("mã"), max_length=5, primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    division_type = models.CharField(_("loại"), max_length=40)
    codename = models.CharField(max_length=100)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")
    # Lower-case, diacritics removed ("đ" → "d"): what search matches against.
    search_name = models.CharField(max_length=100, db_index=True)

    class Meta:
        verbose_name = _("xã/phường")
        verbose_name_plural = _("xã/phường")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}, {self.province.name}"


class LegacyProvince(models.Model):
    """One of the 63 provinces before 1 July 2025."""

    code = models.CharField(_("mã"), max_length=2, primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    division_type = models.CharField(_("loại"), max_length=40)
    search_name = models.CharField(max_length=100, db_index=True)

    class Meta:
        verbose_name = _("tỉnh (cũ)")
        verbose_name_plural = _("tỉnh (cũ)")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class LegacyDistrict(models.Model):
    """A district before 1 July 2025 (districts were abolished then)."""

    code = models.CharField(_("mã"), max_length=3, primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    division_type = models.CharField(_("loại"), max_length=40)
    province = models.ForeignKey(LegacyProvince, on_delete=models.PROTECT, related_name="districts")
    search_name = models.CharField(max_length=100, db_index=True)

    class Meta:
        verbose_name = _("huyện (cũ)")
        verbose_name_plural = _("huyện (cũ)")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class LegacyCommune(models.Model):
    """A commune before 1 July 2025."""

    code = models.CharField(_("mã"), max_length=5, primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    division_type = models.CharField(_("loại"), max_length=40)
    district = models.ForeignKey(LegacyDistrict, on_delete=models.PROTECT, related_name="communes")
    search_name = models.CharField(max_length=100, db_index=True)

    class Meta:
        verbose_name = _("xã (cũ)")
        verbose_name_plural = _("xã (cũ)")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CommuneConversion(models.Model):
    """Old commune → new commune, from the official 2025 conversion table.

    A legacy commune split between several new communes is ``is_partial``: converting an
    address from it needs a person to confirm which new commune is right.
    """

    legacy_commune = models.ForeignKey(
        LegacyCommune, on_delete=models.CASCADE, related_name="conversions"
    )
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="legacy_sources")
    is_partial = models.BooleanField(_("sáp nhập một phần"), default=False)

    class Meta:
        verbose_name = _("chuyển đổi xã")
        verbose_name_plural = _("chuyển đổi xã")
        constraints = [
            models.UniqueConstraint(
                fields=["legacy_commune", "commune"], name="commune_conversion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.legacy_commune_id} → {self.commune_id}"


class Office(models.Model):
    """A unit of the provincial postal network, in a tree.

    Provincial post office → post office (6-digit code, as seen in tracking) → commune post
    office / commune cultural post point (BĐVHX) → payout point. ``path`` is the chain of
    ids from the root (``"/1/7/42/"``) so a subtree is one indexed prefix match.
    """

    class Kind(models.TextChoices):
        PROVINCIAL = "provincial", _("Bưu điện tỉnh")
        POST_OFFICE = "post_office", _("Bưu cục")
        COMMUNE_POST = "commune_post", _("Bưu điện xã")
        BDVHX = "bdvhx", _("Điểm Bưu điện - Văn hóa xã")
        PAYOUT_POINT = "payout_point", _("Điểm chi trả")

    code = models.CharField(_("mã"), max_length=12, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="offices", verbose_name=_("xã/phường")
    )
    postal_code = models.CharField(_("mã bưu chính"), max_length=5, validators=[five_digits])
    street = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    opening_hours = models.CharField(_("giờ mở cửa"), max_length=200, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    # fold(name): what the office filter matches against (set by the services).
    search_name = models.CharField(max_length=200, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AddressScheme(models.TextChoices):
    V2025 = SCHEME_2025, _("Địa giới 2025 (34 tỉnh)")
    LEGACY = SCHEME_LEGACY, _("Địa giới cũ (63 tỉnh)")


def address_mixin(prefix: str = "address", verbose=None, *, blank: bool = False):
    """An abstract model adding one stored address under ``prefix``.

    Fields: ``<prefix>_scheme`` (``2025``/``legacy``), ``<prefix>_commune_code`` (5-digit
    string in that scheme; not a foreign key, because a legacy code points to
    ``LegacyCommune`` and a 2025 code to ``Commune``), ``<prefix>_street`` and ``<prefix>_raw``
    (the text as entered, never rewritten). ``verbose`` (e.g. ``_("người nhận")``) is added
    to the field labels. Use one per address::

        class Item(address_mixin("sender"), address_mixin("receiver"), models.Model): ...

    Read and write with ``postops.network.address.address_from_fields(obj, prefix)`` and
    ``address_to_fields(addr, prefix)``; validate with ``Address.build``; convert legacy
    ones with ``postops.network.selectors.address_convert_legacy``.
    """

    def label(text):
        return format_lazy("{} ({})", text, verbose) if verbose else text

    name = f"AddressMixin_{prefix}"
    attrs = {
        "__module__": __name__,
        "__qualname__": name,
        "Meta": type("Meta", (), {"abstract": True}),
        f"{prefix}_scheme": models.CharField(
            label(_("hệ địa chỉ")),
            max_length=6,
            choices=AddressScheme.choices,
            default=SCHEME_2025,
        ),
        f"{prefix}_commune_code": models.CharField(
            label(_("mã xã/phường")),
            max_length=5,
            blank=blank,
            validators=[five_digits],
            db_index=True,
        ),
        f"{prefix}_street": models.CharField(
            label(_("địa chỉ chi tiết")), max_length=255, blank=True
        ),
        f"{prefix}_raw": models.CharField(
            label(_("địa chỉ như khi nhập")), max_length=500, blank=True
        ),
    }
    return type(name, (models.Model,), attrs)


# The default single-address mixin: fields address_scheme, address_commune_code, ...
AddressMixin = address_mixin("address")
