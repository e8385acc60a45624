"""``manage.py mark_unclaimed_items [--enqueue]``: the 6-month unclaimed rule (Postal Law
49/2010). Run it daily (cron or a systemd timer); it is idempotent. ``--enqueue`` hands the
work to the task worker (``django.tasks``) instead of running it here."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from postops.items.returns import items_mark_unclaimed, items_mark_unclaimed_task


class Command(BaseCommand):
    help = "Mark items accepted 6 months ago and neither delivered nor returned as unclaimed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the job for the task worker."
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = items_mark_unclaimed_task.enqueue()
            self.stdout.write(_("Đã xếp việc vào hàng đợi: %(id)s") % {"id": result.id})
            return
        run = items_mark_unclaimed()
        self.stdout.write(
            _("Đã kiểm tra %(checked)d bưu gửi, chuyển %(marked)d thành vô thừa nhận.")
            % {"checked": run.checked, "marked": run.marked}
        )
