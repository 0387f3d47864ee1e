"""Settings for the load bench's server: Meldpunt's own, plus one bare view.

``bench/load.py`` starts gunicorn with ``DJANGO_SETTINGS_MODULE=bench.bare_settings``,
so every middleware, the database and the server configuration are the
application's; only the URL configuration adds ``/bench/bare/``
(``bench/bare_urls.py``), a view that does nothing, as the baseline of what
this server can answer at all.
"""

from meldpunt.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
