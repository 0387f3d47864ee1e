"""Django's SQLite backend, with the one writer's turn handed on without long sleeps.

SQLite lets one writer in at a time. Every transaction here starts with
``BEGIN IMMEDIATE`` (settings.py), so it takes that lock at its start; one
that finds it taken is left to SQLite's busy handler, which sleeps and
retries in steps of up to 100 ms. Under many concurrent submissions most of
the time then goes to sleeping while the lock is already free again.

This backend first takes an exclusive ``flock`` on a file beside the
database (``<database>-writers.lock``) and releases it at commit or
rollback; a writer that finds it taken looks again every 2 ms: the same
one-writer-at-a-time that SQLite imposes, handed on without the long
sleeps. After SQLite's busy timeout (20 s, settings.py) it stops waiting
for the file and leaves it to SQLite, which then reports the lock as
before. Transactions of every process on the machine (gunicorn workers,
``db_worker``) share the file. A write outside a transaction (autocommit)
does not take it and still meets SQLite's own busy handler. An in-memory
database has no file and no lock.
"""

import fcntl
import os
import time

from django.db.backends.sqlite3 import base

# How often a waiting writer looks again: far below SQLite's steps of up to 100 ms.
POLL_SECONDS = 0.002


class DatabaseWrapper(base.DatabaseWrapper):
    _writers_file = None  # this connection's descriptor of the lock file, opened once
    _holds_writers_lock = False

    def _start_transaction_under_autocommit(self):
        self._take_writers_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writers_lock()
            raise

    def _take_writers_lock(self) -> None:
        name = str(self.settings_dict["NAME"])
        if self._holds_writers_lock or self.is_in_memory_db() or name.startswith("file:"):
            return
        if self._writers_file is None:
            self._writers_file = os.open(name + "-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
        give_up = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        while True:
            try:
                fcntl.flock(self._writers_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > give_up:
                    # As long as SQLite's own busy timeout; then SQLite decides (and says "locked").
                    return
                time.sleep(POLL_SECONDS)
            else:
                self._holds_writers_lock = True
                return

    def _release_writers_lock(self) -> None:
        if self._holds_writers_lock:
            self._holds_writers_lock = False
            fcntl.flock(self._writers_file, fcntl.LOCK_UN)

    def _commit(self):
        try:
            return super()._commit()
        finally:
            # A commit that failed leaves the transaction open; its rollback releases the lock.
            if self.connection is None or not self.connection.in_transaction:
                self._release_writers_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writers_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writers_lock()
            if self._writers_file is not None:
                os.close(self._writers_file)
                self._writers_file = None
