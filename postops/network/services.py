"""Writes for the postal network: administrative units and the office tree.

Every office write checks the actor's right to edit, validates the tree rules
(``postops.network.rules``), keeps the materialised ``path`` right (the whole subtree when a
parent changes) and records an audit entry with the changed fields, before and after, in the
same transaction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from postops.core.audit import audit_record, changed_fields
from postops.core.text import fold

from . import rules
from .admin_units import LoadCounts
from .admin_units import admin_units_load as _admin_units_load
from .models import Office
from .selectors import office_can_create_under, office_can_edit

# Fields a person may set on an office; audited by value (foreign keys by id).
OFFICE_FIELDS = (
    "code",
    "name",
    "kind",
    "parent",
    "commune",
    "postal_code",
    "street",
    "phone",
    "opening_hours",
)


def admin_units_load() -> LoadCounts:
    """Upsert the 34 provinces, 3,321 communes, legacy units and the old→new table.

    Idempotent and bulk (see ``postops.network.admin_units``); one transaction.
    """
    with transaction.atomic():
        return _admin_units_load()


def _snapshot(office: Office) -> dict:
    data = {}
    for name in (*OFFICE_FIELDS, "is_active"):
        field = Office._meta.get_field(name)
        data[name] = getattr(office, field.attname)
    return data


def office_tree_errors(office: Office) -> dict[str, list[str]]:
    """The tree rules (``postops.network.rules``) broken by ``office``, keyed by field.

    Parent kind per kind; code format per kind; no move into its own subtree; no active
    office under an inactive one; the commune in the parent's province; the children's
    kinds still allowed under a changed kind.
    """
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    parent = office.parent
    if office.kind in rules.KINDS:
        if not rules.parent_kind_allowed(office.kind, parent.kind if parent else None):
            if parent is None:
                add("parent", _("Loại đơn vị này phải có đơn vị cấp trên."))
            else:
                add(
                    "parent",
                    _("“%(kind)s” không thể trực thuộc “%(parent_kind)s”.")
                    % {
                        "kind": office.get_kind_display(),
                        "parent_kind": parent.get_kind_display(),
                    },
                )
        if office.code and not rules.is_office_code(office.kind, office.code):
            if office.kind == rules.POST_OFFICE:
                add("code", _("Mã bưu cục cần đúng 6 chữ số."))
            else:
                add("code", _("Mã chỉ gồm chữ, số, dấu chấm, gạch ngang (tối đa 12 ký tự)."))
    if parent is not None:
        if office.pk is not None and office.path and parent.path.startswith(office.path):
            add("parent", _("Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó."))
        elif not parent.is_active and office.is_active:
            add("parent", _("Đơn vị cấp trên đã ngừng hoạt động."))
        if (
            office.commune_id
            and parent.commune_id
            and office.commune.province_id != parent.commune.province_id
        ):
            add("commune", _("Xã/phường phải thuộc cùng tỉnh với đơn vị cấp trên."))
    if office.pk is not None and office.kind in rules.KINDS:
        bad_children = sorted(
            code
            for code, kind in Office.objects.filter(parent_id=office.pk).values_list("code", "kind")
            if not rules.parent_kind_allowed(kind, office.kind)
        )
        if bad_children:
            add(
                "kind",
                _("Các đơn vị cấp dưới không thể trực thuộc loại này: %(codes)s.")
                % {"codes": ", ".join(bad_children)},
            )
    return errors


def office_validate(office: Office) -> None:
    """Field validators plus :func:`office_tree_errors`; raises ``ValidationError``."""
    errors: dict[str, list] = {}
    try:
        office.full_clean(exclude=["path", "search_name"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for field, found in office_tree_errors(office).items():
        existing = errors.setdefault(field, [])
        existing.extend(m for m in found if m not in existing)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def office_create(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    commune,
    postal_code: str,
    parent: Office | None = None,
    street: str = "",
    phone: str = "",
    opening_hours: str = "",
    request=None,
) -> Office:
    """Create an office under ``parent`` (``None`` for a provincial root).

    Only administrators, provincial managers and office supervisors may create, and only
    under an office in their scope; a root needs a superuser or an administrator.
    """
    if not office_can_create_under(actor, parent):
        raise PermissionDenied(_("Bạn không có quyền tạo đơn vị ở đây."))
    office = Office(
        code=(code or "").strip(),
        name=" ".join((name or "").split()),
        kind=kind,
        parent=parent,
        commune=commune,
        postal_code=(postal_code or "").strip(),
        street=(street or "").strip(),
        phone=(phone or "").strip(),
        opening_hours=(opening_hours or "").strip(),
        is_active=True,
    )
    office_validate(office)
    office.search_name = fold(office.name)
    office.save()
    office.path = rules.path_for(parent.path if parent else None, office.pk)
    Office.objects.filter(pk=office.pk).update(path=office.path)
    audit_record(
        actor,
        "network.office_create",
        office,
        before={},
        after=_snapshot(office),
        office=office,
        request=request,
    )
    return office


@transaction.atomic
def office_update(*, actor, office: Office, request=None, **changes) -> Office:
    """Change the fields in ``changes`` (any of ``OFFICE_FIELDS``).

    Moving an office (a new ``parent``) rewrites the ``path`` of its whole subtree in one
    statement; the actor must be allowed to edit the office and to create under the new
    parent. Use :func:`office_deactivate` for the active flag.
    """
    unknown = set(changes) - set(OFFICE_FIELDS)
    if unknown:
        raise TypeError(f"office_update() got unknown fields: {sorted(unknown)}")
    # Lock the row (no outer join: PostgreSQL cannot lock the nullable side): two
    # concurrent moves of one subtree would interleave the path rewrite.
    office = Office.objects.select_for_update().get(pk=office.pk)
    if not office_can_edit(actor, office):
        raise PermissionDenied(_("Bạn không có quyền sửa đơn vị này."))
    before = _snapshot(office)
    old_path = office.path
    for name, value in changes.items():
        if isinstance(value, str):
            value = " ".join(value.split()) if name == "name" else value.strip()
        setattr(office, name, value)
    moved = "parent" in changes and office.parent_id != before["parent"]
    if moved and office.parent_id is not None:
        # The caller's parent object may be stale; the new prefix must be the stored path.
        office.parent = Office.objects.get(pk=office.parent_id)
    if moved and not office_can_create_under(actor, office.parent):
        raise PermissionDenied(_("Bạn không có quyền chuyển đơn vị tới đơn vị cấp trên này."))
    office_validate(office)
    office.search_name = fold(office.name)
    after = _snapshot(office)
    before_changed, after_changed = changed_fields(before, after)
    if not after_changed:
        return office
    if moved:
        new_path = rules.path_for(office.parent.path if office.parent else None, office.pk)
        office.path = new_path
        # Every descendant keeps its tail and gets the new prefix: one UPDATE for the subtree.
        Office.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )
    office.save()
    audit_record(
        actor,
        "network.office_update",
        office,
        before=before_changed,
        after=after_changed,
        office=office,
        request=request,
    )
    return office


def _set_active(actor, office: Office, active: bool, request) -> Office:
    office = Office.objects.select_for_update().get(pk=office.pk)
    if not office_can_edit(actor, office):
        raise PermissionDenied(_("Bạn không có quyền sửa đơn vị này."))
    if office.is_active == active:
        return office
    if not active and office.children.filter(is_active=True).exists():
        raise ValidationError({"is_active": [_("Hãy ngừng hoạt động các đơn vị cấp dưới trước.")]})
    if active and office.parent is not None and not office.parent.is_active:
        raise ValidationError({"is_active": [_("Đơn vị cấp trên đã ngừng hoạt động.")]})
    office.is_active = active
    office.save(update_fields=["is_active"])
    audit_record(
        actor,
        "network.office_deactivate" if not active else "network.office_reactivate",
        office,
        before={"is_active": not active},
        after={"is_active": active},
        office=office,
        request=request,
    )
    return office


@transaction.atomic
def office_deactivate(*, actor, office: Office, request=None) -> Office:
    """Mark an office as no longer operating (never deleted: history points at it).

    Refused while it has active sub-units, so that no active unit hangs under a closed one.
    """
    return _set_active(actor, office, False, request)


@transaction.atomic
def office_reactivate(*, actor, office: Office, request=None) -> Office:
    """Undo :func:`office_deactivate`; refused under an inactive parent."""
    return _set_active(actor, office, True, request)
