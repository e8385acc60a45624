"""The demo province: a realistic network over a province's real communes, and staff.

Demo data only. Office codes and postal codes are made up in the real formats (6-digit office
codes, 5-digit postal codes with the province's postal prefix where known); the official list
of postal codes (Decision 2334/QĐ-BKHCN, 2025) is not bundled. Everything is keyed by code or
username, so seeding twice changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from postops.accounts.models import Role, User
from postops.cod.demo import seed_cod
from postops.complaints.demo import seed_complaints
from postops.delivery.demo import seed_delivery
from postops.dossiers.demo import seed_dossiers
from postops.items.demo import seed_items
from postops.network.models import Commune, Office, Province
from postops.network.services import admin_units_load, office_create
from postops.notify.demo import seed_notify
from postops.pickups.demo import seed_pickups

from .names import person_name, street_address
from .payouts import seed_payrolls

# Postal-code prefixes (first two digits) of a few provinces, from the national postal code
# scheme; other provinces fall back to their administrative code (demo only).
POSTAL_PREFIX = {"20": "24", "01": "10", "79": "70", "48": "50", "31": "18", "19": "25"}

# Fixed TOTP secret (hex) for the demo's two-factor accounts, so the printed secret works in
# any authenticator app. Demo only: seed_demo refuses to run with DEBUG off.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"
DEMO_TOTP_SECRET_B32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

POST_OFFICES = 6
COMMUNE_POSTS_PER_OFFICE = 4

ROLE_HOME = {
    # role: which office the demo user works at ("province", "office", "commune")
    Role.CLERK: "office",
    Role.POSTMAN: "office",
    Role.TELLER: "office",
    Role.BDVHX: "commune",
    Role.SUPERVISOR: "office",
    Role.MANAGER: "province",
    Role.AGENCY: None,
    Role.COMPLAINTS: "province",
    Role.AUDITOR: "province",
    Role.ADMIN: "province",
    Role.PARTNER: "province",
}


@dataclass
class SeedResult:
    province: Province
    offices_created: int = 0
    offices_total: int = 0
    users: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, office
    items: list[tuple[str, str]] = field(default_factory=list)  # number, status
    payroll_lines: dict[str, int] = field(default_factory=dict)  # programme → lines


def _short(commune: Commune) -> str:
    for prefix in ("Phường ", "Xã ", "Đặc khu "):
        if commune.name.startswith(prefix):
            return commune.name[len(prefix) :]
    return commune.name


def _get_or_create_office(actor, result: SeedResult, **fields) -> Office:
    existing = Office.objects.filter(code=fields["code"]).first()
    if existing is not None:
        return existing
    result.offices_created += 1
    return office_create(actor=actor, **fields)


def _user(username: str, role: str, full_name: str, password: str, office: Office | None):
    user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
    if created:
        user.set_password(password)
    user.full_name = full_name
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    user.save()
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if office is not None:
        user.offices.add(office)
    return user


@transaction.atomic
def seed_demo(province_code: str, password: str) -> SeedResult:
    """Build (or complete) the demo province ``province_code``; idempotent."""
    if not Commune.objects.exists():
        admin_units_load()
    province = Province.objects.get(code=province_code)
    communes = list(Commune.objects.filter(province=province).order_by("code"))
    if not communes:
        raise ValueError(f"province {province_code} has no communes loaded")
    rng = random.Random(f"postops-demo-{province_code}")
    result = SeedResult(province=province)
    prefix = POSTAL_PREFIX.get(province_code, province_code)

    admin_name, _ = person_name(rng, "M")
    admin = _user("demo-admin", Role.ADMIN, admin_name, password, None)

    # Provincial post office in the first ward (the provincial capital sorts first).
    capital = next((c for c in communes if c.division_type == "phường"), communes[0])
    provincial = _get_or_create_office(
        admin,
        result,
        code=f"{prefix}0000",
        name=f"Bưu điện tỉnh {province.name.removeprefix('Tỉnh ').removeprefix('Thành phố ')}",
        kind=Office.Kind.PROVINCIAL,
        commune=capital,
        postal_code=f"{prefix}000",
        street=street_address(rng, urban=True),
        phone=f"0205 38{rng.randint(10000, 99999)}",
        opening_hours="Thứ 2–Thứ 7: 7:00–19:00",
        parent=None,
    )
    admin.offices.add(provincial)

    # Post offices spread over the province's communes; each serves the communes after it.
    step = max(1, len(communes) // POST_OFFICES)
    first_office = first_commune_post = None
    for i in range(POST_OFFICES):
        hub = communes[min(i * step, len(communes) - 1)]
        office = _get_or_create_office(
            admin,
            result,
            code=f"{prefix}{i + 1:02d}00",
            name=f"Bưu cục {_short(hub)}",
            kind=Office.Kind.POST_OFFICE,
            commune=hub,
            postal_code=f"{prefix}{i + 1:01d}00"[:5],
            street=street_address(rng, urban=hub.division_type == "phường"),
            phone=f"0205 38{rng.randint(10000, 99999)}",
            opening_hours="Thứ 2–Thứ 7: 7:30–17:30",
            parent=provincial,
        )
        first_office = first_office or office
        served = communes[i * step + 1 : i * step + 1 + COMMUNE_POSTS_PER_OFFICE]
        for j, commune in enumerate(served):
            kind = Office.Kind.BDVHX if commune.division_type == "xã" else Office.Kind.COMMUNE_POST
            label = "Điểm BĐ-VHX" if kind == Office.Kind.BDVHX else "Bưu điện"
            post = _get_or_create_office(
                admin,
                result,
                code=f"{prefix}{i + 1:02d}{j + 1:02d}",
                name=f"{label} {_short(commune)}",
                kind=kind,
                commune=commune,
                postal_code=f"{prefix}{i + 1:01d}{j + 1:02d}"[:5],
                street=street_address(rng, urban=commune.division_type == "phường"),
                phone=f"0205 3{rng.randint(100000, 999999)}",
                opening_hours="Thứ 2–Chủ nhật: 7:00–11:30, 13:30–17:00",
                parent=office,
            )
            first_commune_post = first_commune_post or post
            _get_or_create_office(
                admin,
                result,
                code=f"{post.code}1"[:12],
                name=f"Điểm chi trả {street_address(rng, urban=False)}",
                kind=Office.Kind.PAYOUT_POINT,
                commune=commune,
                postal_code=post.postal_code,
                street=street_address(rng, urban=False),
                parent=post,
            )

    homes = {"province": provincial, "office": first_office, "commune": first_commune_post}
    for role, home in ROLE_HOME.items():
        full_name, _ = person_name(rng)
        username = f"demo-{role.value}"
        office = homes[home] if home else None
        user = admin if role == Role.ADMIN else _user(username, role, full_name, password, office)
        result.users.append((username, role.value, office.code if office else "—"))
        if role in (Role.SUPERVISOR, Role.MANAGER, Role.ADMIN):
            TOTPDevice.objects.get_or_create(
                user=user, name="demo", defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True}
            )
    # A few more postmen and clerks so lists look like a real office.
    for i in range(1, 4):
        for role in (Role.POSTMAN, Role.CLERK):
            full_name, _ = person_name(rng)
            _user(f"demo-{role.value}-{i}", role, full_name, password, first_office)
    result.offices_total = Office.objects.filter(path__startswith=provincial.path).count()
    result.items = seed_items(provincial).numbers
    # Today's round for demo-postman, and an item for demo-supervisor to assign.
    seed_delivery(provincial)
    # Delivered demo items with COD: collected, handed over, one statement to pay.
    seed_cod(provincial)
    seed_dossiers(provincial)
    # Outbox rows in both states (sent, dead) for the notifications page.
    seed_notify(provincial)
    # Home pickup requests in each status for demo-supervisor and demo-postman.
    seed_pickups(provincial)
    # Complaints in each state (one overdue, one compensated) and a safety incident.
    seed_complaints(provincial)
    result.payroll_lines = seed_payrolls(
        provincial,
        importer=User.objects.get(username="demo-supervisor"),
        approver=User.objects.get(username="demo-manager"),
    )
    return result
