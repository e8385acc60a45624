"""``manage.py send_notifications``: send the notifications that are due (retries included).

The worker sends each message as soon as its business change commits; retries wait for
this sweep, which ``deploy/postops-notify.timer`` runs every minute. Several senders may run
at once: on PostgreSQL each claims its own rows (``FOR UPDATE SKIP LOCKED``).
"""

from django.core.management.base import BaseCommand

from postops.notify.services import notifications_send_due


class Command(BaseCommand):
    help = "Send the notifications that are due (e-mail, SMS, Zalo ZNS)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="at most this many messages")

    def handle(self, *args, **options):
        counts = notifications_send_due(limit=options["limit"])
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
