"""The session store: Django's database sessions, with two statements fewer
for a session that is new in this request (after a receipt code, a report,
a staff log-in).

- A new session key is not looked up first: the first write of a new session
  is an INSERT that must create its row (``save(must_create=True)``), so a key
  that is taken already raises ``CreateError`` and ``create()`` draws another.
- A session written in this request is not written again at the end of it
  when nothing in it changed since (``open_inbox`` puts the inbox in the
  session before it takes a new key, so the new row holds it at once).
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    _written = None  # (session key, serialised data) of this store's last write

    def _get_new_session_key(self):
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        written = (self.session_key, self.serializer().dumps(self._get_session(no_load=must_create)))
        if not must_create and written == self._written:
            return None
        super().save(must_create=must_create)
        self._written = written
        return None
