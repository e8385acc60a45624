"""Settings of the benchmark server only: the project's settings plus the bench URL conf.

``bench/server.py`` starts gunicorn with ``DJANGO_SETTINGS_MODULE=bench.settings``; nothing
else uses this module, so the no-op endpoint in ``bench/urls.py`` never exists on a real
server. Rate limits are lifted through their usual environment variables, not here.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
