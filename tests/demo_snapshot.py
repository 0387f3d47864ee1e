"""The demo municipality for a test in a few statements instead of ~300.

``load_demo()`` runs some 300 queries (every get_or_create, the registry's
revision signals, the default protocol): 0.7 s on SQLite and 1.3 s on
PostgreSQL per test, and a thousand tests ask for it. The first time in a
test process, ``demo()`` runs the real ``load_demo()`` and keeps the rows it
added, table by table; later calls insert those same rows again (same
primary keys, same values), give the registry a new revision as a real load
does (so nothing kept per process under the old one is reused), and return
the organisation read back from the database.

The rows are only inserted again when the database is as it was when they
were kept: the row count and highest primary key of every table are
compared first, and anything else (another test's fixture wrote first, a
flush by a transactional test emptied the tables) runs the real loader and
keeps its rows for that state. A load that changed or deleted a row that was
already there is never replayed. The real loader is still tested as such in
tests/test_load_demo.py. MELDPUNT_TEST_REAL_DEMO=1 runs the real loader
every time (to compare).
"""

import os

from django.db import DatabaseError, connection, transaction

from meldpunt.demo.loader import load_demo
from meldpunt.organisations.models import Organisation
from meldpunt.registry import revision

# (database vendor, database name, state before) -> (organisation pk, {table: (columns, rows)}) or None
_kept: dict[tuple, tuple | None] = {}


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(t.name for t in connection.introspection.get_table_list(cursor) if t.type == "t")


def _primary_keys(tables) -> dict[str, str | None]:
    keys = {}
    with connection.cursor() as cursor:
        for table in tables:
            keys[table] = connection.introspection.get_primary_key_column(cursor, table)
    return keys


_structure: dict[tuple, tuple] = {}


def _layout():
    """The tables and their primary key columns, read once per database."""
    key = (connection.vendor, connection.settings_dict["NAME"])
    if key not in _structure:
        tables = _tables()
        _structure[key] = (tables, _primary_keys(tables))
    return _structure[key]


def _state() -> tuple:
    """Row count and highest primary key (as text) of every table, in one query."""
    tables, keys = _layout()
    q = connection.ops.quote_name
    parts = []
    for table in tables:
        parts.append(f"(SELECT COUNT(*) FROM {q(table)})")  # noqa: S608 (names from introspection)
        if keys[table]:
            parts.append(f"(SELECT MAX(CAST({q(keys[table])} AS TEXT)) FROM {q(table)})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(str(v) for v in cursor.fetchone())


def _rows(table: str) -> tuple[list[str], set]:
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As JSON text: json_populate_recordset turns it back into every column type (bytea, jsonb, arrays).
            cursor.execute(f"SELECT row_to_json(t)::text FROM {q(table)} AS t")  # noqa: S608
            return [], {row[0] for row in cursor.fetchall()}
        cursor.execute(f"SELECT * FROM {q(table)}")  # noqa: S608
        return [c[0] for c in cursor.description], set(cursor.fetchall())


def _dump() -> dict:
    return {table: _rows(table) for table in _layout()[0]}


def _keep(before: dict, after: dict) -> dict | None:
    added = {}
    for table, (columns, rows) in after.items():
        old = before[table][1]
        if not old <= rows:
            return None  # the loader changed or deleted a row that was there: replay would differ
        if rows - old:
            added[table] = (columns, sorted(rows - old, key=repr))
    return added


def _insert(added: dict) -> None:
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, (columns, rows) in added.items():
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"INSERT INTO {q(table)} SELECT * FROM json_populate_recordset(NULL::{q(table)}, %s::json)",  # noqa: S608
                    ["[" + ",".join(rows) + "]"],
                )
            else:
                names = ", ".join(q(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {q(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608
        if connection.vendor == "postgresql":
            # The kept keys were handed out by each sequence already; this only matters after a
            # sequence was reset, and keeps the next key above the rows inserted here.
            keys = _layout()[1]
            for table in added:
                sequence = keys[table] and _sequence(cursor, table, keys[table])
                if sequence:
                    cursor.execute(
                        f"SELECT setval(%s, GREATEST((SELECT MAX({q(keys[table])}) FROM {q(table)}), "  # noqa: S608
                        f"(SELECT last_value FROM {sequence})))",
                        [sequence],
                    )


_sequences: dict[tuple, str | None] = {}


def _sequence(cursor, table: str, column: str) -> str | None:
    key = (connection.settings_dict["NAME"], table)
    if key not in _sequences:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [connection.ops.quote_name(table), column])
        _sequences[key] = cursor.fetchone()[0]
    return _sequences[key]


def demo() -> Organisation:
    """Gemeente Voorbeeldstad in the test database, as ``load_demo()`` leaves it."""
    if os.environ.get("MELDPUNT_TEST_REAL_DEMO") == "1":
        return load_demo()
    state = (connection.vendor, connection.settings_dict["NAME"], _state())
    kept = _kept.get(state, False)
    if kept:
        pk, added = kept
        try:
            with transaction.atomic():
                _insert(added)
                revision.changed(pk)
        except DatabaseError:
            _kept[state] = None  # never again for this state; the real loader below
        else:
            return Organisation.objects.get(pk=pk)
    if kept is False:
        with transaction.atomic():
            before = _dump()
            organisation = load_demo()
            added = _keep(before, _dump())
        _kept[state] = (organisation.pk, added) if added is not None else None
        return organisation
    return load_demo()
