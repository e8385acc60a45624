from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from postops.demo.seed import DEMO_TOTP_SECRET_B32, seed_demo
from postops.network.models import Province


class Command(BaseCommand):
    help = "Build the demo province (offices over its real communes, a user per role). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--province", default="20", help="2025 province code (default 20, Lạng Sơn)"
        )

    def handle(self, *args, province: str, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo is refused when DEBUG is off: it creates known passwords."
            )
        province = province.zfill(2)
        if not Province.objects.filter(code=province).exists() and Province.objects.exists():
            raise CommandError(f"Unknown province code {province!r}: use a 2025 code such as 20.")
        password = settings.POSTOPS_DEMO_PASSWORD
        result = seed_demo(province, password=password)
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"Demo province {result.province.code} {result.province.name}: "
                f"{result.offices_total} offices ({result.offices_created} new)."
            )
        )
        out.write("")
        out.write(
            "Demo logins (password for all: POSTOPS_DEMO_PASSWORD, "
            f"now {password!r}) at http://127.0.0.1:8000/accounts/login/"
        )
        out.write(f"  {'username':<18} {'role':<11} office")
        for username, role, office in result.users:
            out.write(f"  {username:<18} {role:<11} {office}")
        out.write("")
        if result.items:
            out.write("Items to track (public page, no login):")
            for number, status in result.items[:4]:
                out.write(f"  {number}  {status}  http://127.0.0.1:8000/tra-cuu/?numbers={number}")
        out.write(
            "Payrolls this month (open for paying, log in as demo-teller → /payouts/): "
            + ", ".join(f"{code} {lines} lines" for code, lines in result.payroll_lines.items())
        )
        out.write("")
        out.write("demo-supervisor, demo-manager and demo-admin need a TOTP code: add this secret")
        out.write(f"to an authenticator app: {DEMO_TOTP_SECRET_B32}")
        out.write("  or print the current code: make demo-totp")
