"""Create an API key for a partner system and print it once."""

from django.core.management.base import BaseCommand, CommandError

from postops.accounts.models import Role
from postops.accounts.services import api_key_create
from postops.network.models import Office


class Command(BaseCommand):
    help = (
        "Create an API key (sent as 'Authorization: Bearer <key>'). The key is printed once "
        "on standard output and cannot be shown again; only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="who uses the key, e.g. 'Shop ABC'")
        parser.add_argument("--role", required=True, help=f"one of: {', '.join(Role.values)}")
        parser.add_argument(
            "--office",
            action="append",
            default=[],
            metavar="CODE",
            help="office code the key may act in (with its subtree); repeat for several",
        )

    def handle(self, *args, name, role, office, **options):
        name = name.strip()
        if not name:
            raise CommandError("--name must not be empty.")
        if role not in Role.values:
            raise CommandError(f"Unknown role {role!r}; choose one of: {', '.join(Role.values)}.")
        codes = list(dict.fromkeys(code.strip() for code in office))
        offices = list(Office.objects.filter(code__in=codes).order_by("path"))
        missing = sorted(set(codes) - {o.code for o in offices})
        if missing:
            raise CommandError(f"Unknown office code(s): {', '.join(missing)}.")

        key, raw = api_key_create(None, name=name, role=role, offices=offices)

        # Facts on stderr, the key alone on stdout: `KEY=$(manage.py create_api_key ...)`.
        self.stderr.write(
            f"Created API key {key.prefix}… for {name!r} with role {role}"
            f" and offices: {', '.join(o.code for o in offices) or '(none)'}.\n"
            "Store the key now; it is not stored and cannot be shown again."
        )
        self.stdout.write(raw)
