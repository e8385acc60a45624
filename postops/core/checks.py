"""System checks run by ``manage.py check --deploy``."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def shared_cache_check(app_configs, **kwargs):
    """Login lockouts and the public rate limits count in the default cache; a per-process
    cache lets each gunicorn worker count on its own, multiplying the limits."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in PER_PROCESS_CACHES:
        return [
            Warning(
                f"The default cache ({backend}) lives inside each process: rate limits and "
                "lockouts are counted per worker.",
                hint="Set POSTOPS_CACHE_BACKEND=django.core.cache.backends.db.DatabaseCache "
                "(and run manage.py createcachetable) or another shared cache.",
                id="postops.W001",
            )
        ]
    return []
