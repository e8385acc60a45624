"""Create an API key for a partner system and print it once."""

from django.core.management.base import BaseCommand, CommandError

from postops.accounts.models import Role
from postops.accounts.services import api_key_create
from postops.network.models import Office


class Command(BaseCommand):
    help = (
        "Create an API key (sent as 'Authorization: Bearer <key>'), tied to a role and offices "
        "or, with --role agency, to one agency (--agency CODE). The key is printed once on "
        "standard output and cannot be shown again; only its hash is stored."
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
        parser.add_argument(
            "--agency",
            default="",
            metavar="CODE",
            help="agency code the key acts for (role agency only), e.g. an agency's one-stop desk",
        )

    def handle(self, *args, name, role, office, agency, **options):
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

        agency_obj = None
        agency = agency.strip()
        if agency:
            if role != Role.AGENCY:
                raise CommandError("--agency needs --role agency.")
            from postops.dossiers.models import Agency

            agency_obj = Agency.objects.filter(code=agency, is_active=True).first()
            if agency_obj is None:
                raise CommandError(f"Unknown or inactive agency code: {agency}.")

        key, raw = api_key_create(None, name=name, role=role, offices=offices, agency=agency_obj)

        # Facts on stderr, the key alone on stdout: `KEY=$(manage.py create_api_key ...)`.
        self.stderr.write(
            f"Created API key {key.prefix}… for {name!r} with role {role}"
            f" and offices: {', '.join(o.code for o in offices) or '(none)'}"
            f"{f' for agency {agency_obj.code}' if agency_obj else ''}.\n"
            "Store the key now; it is not stored and cannot be shown again."
        )
        self.stdout.write(raw)
