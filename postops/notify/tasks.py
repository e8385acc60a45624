"""Background work of notifications (``django.tasks``; the ``django-tasks-db`` worker)."""

from django.tasks import task


@task()
def notification_send_task(message_id: int) -> str:
    """Send one message now (``services.message_send``); returns its status afterwards.

    Safe to run twice: a message already sent, claimed by another sender or not due is left
    alone."""
    from .services import message_send

    message = message_send(message_id)
    return message.status if message is not None else "skipped"


@task()
def notifications_send_due_task() -> dict:
    """Send every due message, retries included (``services.notifications_send_due``): the
    periodic sweep, for schedulers that start tasks rather than commands."""
    from .services import notifications_send_due

    return notifications_send_due()
