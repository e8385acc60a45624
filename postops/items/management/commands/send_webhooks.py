"""``manage.py send_webhooks``: send the status webhooks that are due (retries included).

The worker sends each webhook as soon as it is written and schedules retries itself when the
task backend can defer (``django-tasks-db`` can). Run this from a timer as a safety net, or
instead of the worker with a backend that cannot defer.
"""

from django.core.management.base import BaseCommand

from postops.items.webhooks import webhooks_send_due


class Command(BaseCommand):
    help = "Send the status webhooks that are due."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200)

    def handle(self, *args, **options):
        count = webhooks_send_due(limit=options["limit"])
        self.stdout.write(f"webhooks attempted={count}")
