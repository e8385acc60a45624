"""Signals other apps listen to, so that items does not import them.

``item_status_changed`` is sent inside the transaction that stores the tracking events, with
``transitions``: a list of ``(item, event, previous_status, new_status)`` (the same tuples
as :func:`postops.items.webhooks.status_changes_enqueue`). A receiver that raises rolls the
events back: receivers must only write what belongs with the status change (for example a
dossier moving to ``delivered`` when its return item is delivered).
"""

from django.dispatch import Signal

item_status_changed = Signal()
