"""Revoke an API key, found by the prefix shown in lists."""

from django.core.management.base import BaseCommand, CommandError

from postops.accounts.models import ApiKey
from postops.accounts.services import api_key_revoke


class Command(BaseCommand):
    help = "Revoke the API key with this prefix (the first 12 characters, e.g. pok_AbCd1234)."

    def add_arguments(self, parser):
        parser.add_argument("prefix", help="the key's prefix as shown in lists")

    def handle(self, *args, prefix, **options):
        prefix = prefix.strip()
        keys = list(ApiKey.objects.filter(prefix=prefix))
        if not keys:
            raise CommandError(f"No API key has the prefix {prefix!r}.")
        active = [k for k in keys if k.revoked_at is None]
        if not active:
            self.stdout.write(f"API key {prefix}… was already revoked.")
            return
        if len(active) > 1:
            names = ", ".join(f"{k.name!r} (id {k.pk})" for k in active)
            raise CommandError(
                f"Several active keys share the prefix {prefix!r}: {names}. "
                "Revoke the right one in the staff UI (/accounts/api-keys/)."
            )
        key = active[0]
        api_key_revoke(None, key)
        self.stdout.write(f"Revoked API key {key.prefix}… ({key.name}).")
