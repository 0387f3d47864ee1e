"""The `organisation` fixture's quick path (tests/demo_snapshot.py) leaves the
database as the real load_demo() does."""

import json

import pytest
from django.db import connection, transaction

from meldpunt.demo.loader import load_demo
from meldpunt.organisations.models import Organisation
from tests import demo_snapshot


def _dump_in_savepoint(load) -> tuple[dict, object]:
    with transaction.atomic():
        organisation = load()
        dump = demo_snapshot._dump()
        revision = Organisation.objects.get(pk=organisation.pk).registry_revision
        transaction.set_rollback(True)
    return dump, revision


def _records(dump: dict) -> dict[str, list[dict]]:
    if connection.vendor == "postgresql":
        return {t: [json.loads(r) for r in rows] for t, (_c, rows) in dump.items()}
    return {t: [dict(zip(columns, r, strict=True)) for r in rows] for t, (columns, rows) in dump.items()}


def _column(records: list[dict], name: str) -> list:
    return sorted((r[name] for r in records), key=repr)


@pytest.mark.django_db
def test_the_kept_rows_are_inserted_again_and_equal_a_real_load():
    first, first_revision = _dump_in_savepoint(load_demo)
    second, _ = _dump_in_savepoint(load_demo)
    _dump_in_savepoint(demo_snapshot.demo)  # keeps the rows, if not kept yet in this process
    state = (connection.vendor, connection.settings_dict["NAME"], demo_snapshot._state())
    assert demo_snapshot._kept.get(state), "the demo's rows were not kept for an empty database"
    replayed, replayed_revision = _dump_in_savepoint(demo_snapshot.demo)

    first, second, replayed = _records(first), _records(second), _records(replayed)
    assert {t: len(r) for t, r in replayed.items()} == {t: len(r) for t, r in first.items()}
    for table, records in first.items():
        if not records:
            continue
        # Columns that differ between two real loads (salts, timestamps, on PostgreSQL the keys)
        # are left out; every other column holds the same values after the quick path.
        same = [c for c in records[0] if _column(records, c) == _column(second[table], c)]
        assert sorted((tuple(r[c] for c in same) for r in replayed[table]), key=repr) == sorted(
            (tuple(r[c] for c in same) for r in records), key=repr
        ), table
    # A new registry revision each time, as a real load gives.
    assert replayed_revision != first_revision


@pytest.mark.django_db
def test_a_database_not_as_it_was_gets_the_real_loader(organisation):
    # Another organisation was written first: the state differs, the real (idempotent) loader runs.
    Organisation.objects.create(slug="anderstad", name="Gemeente Anderstad")
    again = demo_snapshot.demo()
    assert again.slug == "voorbeeldstad"
    assert Organisation.objects.count() == 2
