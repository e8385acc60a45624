"""Background work of items (``django.tasks``; the ``django-tasks-db`` worker runs it)."""

from django.tasks import task


@task()
def webhook_deliver_task(delivery_id: str) -> str:
    """Send one status webhook (``webhooks.webhook_deliver``); returns its state.

    Safe to run twice: a delivery already sent, or not yet due, is left alone.
    """
    from .webhooks import webhook_deliver

    delivery = webhook_deliver(delivery_id)
    return delivery.state if delivery is not None else "gone"


@task()
def webhooks_send_due_task() -> int:
    """Send every status webhook that is due (``webhooks.webhooks_send_due``)."""
    from .webhooks import webhooks_send_due

    return webhooks_send_due()
