"""Tampering with the audit trail as a database administrator would: with raw
SQL, around the application. Every event is sealed under the audit key
(outside the database) and checkpoints sign the chain head, so each change
below is found by ``verify_audit``, which names the event, and by a
checkpoint made before the change, also from its exported file alone."""

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from meldpunt.audit import keys as audit_keys_module
from meldpunt.audit.checkpoints import export, make_checkpoint, verify_file
from meldpunt.audit.log import chain_for, record, verify_all, verify_chain
from meldpunt.audit.models import AuditCheckpoint, AuditEvent, AuditHead, plain_hash
from tests.conftest import verified_client
from tests.factories import report_about

ROOT = Path(__file__).resolve().parent.parent


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _chain(organisation) -> str:
    return chain_for(organisation)


@pytest.fixture
def trail(organisation, person):
    """Two reports and a handler's read; then a checkpoint, and one more event after it."""
    case, _ = report_about(organisation, person("Henk Bosman"))
    verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/")
    report_about(organisation, person("Pieter de Groot"))
    checkpoint = make_checkpoint(_chain(organisation), actor="staff:auditor")
    record("case.read", actor="staff:behandelaar2", organisation=organisation, case=case, what="case")
    return {"case": case, "checkpoint": checkpoint, "file": export(checkpoint), "organisation": organisation}


def _verify_command() -> str:
    from io import StringIO

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=out)
    return out.getvalue()


def _event(trail, **filters) -> AuditEvent:
    return AuditEvent.objects.filter(chain=_chain(trail["organisation"]), **filters).order_by("seq").first()


@pytest.mark.django_db
def test_the_untouched_trail_and_its_checkpoint_verify(trail, tmp_path):
    report = verify_chain(_chain(trail["organisation"]))
    assert report.ok and report.checkpoints_checked == 1
    assert all(e.key_id for e in AuditEvent.objects.all())  # every new event is sealed under the audit key
    call_command("verify_audit")
    path = tmp_path / "checkpoint.json"
    path.write_text(trail["file"])
    call_command("verify_audit", "--checkpoint", str(path))
    assert verify_file(trail["file"]).ok


@pytest.mark.django_db
def test_changing_a_detail_is_named(trail):
    # Tried: rewriting the detail of the handler's read in SQL.
    event = _event(trail, action="case.read")
    _sql("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ['{"what": "niets"}', event.pk])
    out = _verify_command()
    assert f"event {event.seq} (case.read, case {trail['case'].reference}, at {event.at.isoformat()})" in out
    assert "changed after it was written" in out
    file_report = verify_file(trail["file"])
    assert not file_report.ok and f"event {event.seq} (case.read" in " ".join(file_report.lines)


@pytest.mark.django_db
def test_changing_who_did_it_is_named(trail):
    # Tried: another actor on the read event (making someone else the reader).
    event = _event(trail, action="case.read")
    _sql("UPDATE audit_auditevent SET actor = 'staff:behandelaar2' WHERE id = %s", [event.pk])
    report = verify_chain(_chain(trail["organisation"]))
    assert report.broken_at == event.seq and report.event.pk == event.pk


@pytest.mark.django_db
def test_deleting_a_row_is_named(trail):
    # Tried: DELETE of the read event from the middle of the chain.
    event = _event(trail, action="case.read")
    _sql("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    out = _verify_command()
    assert f"an event is missing: event {event.seq} should come before this one" in out
    assert not verify_file(trail["file"]).ok


@pytest.mark.django_db
def test_reordering_two_rows_is_named(trail):
    # Tried: swapping the numbers of two events (a read moved before the report it read).
    first, second = AuditEvent.objects.filter(chain=_chain(trail["organisation"])).order_by("seq")[1:3]
    _sql("UPDATE audit_auditevent SET seq = 999999 WHERE id = %s", [first.pk])
    _sql("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [first.seq, second.pk])
    _sql("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [second.seq, first.pk])
    report = verify_chain(_chain(trail["organisation"]))
    assert report.broken_at == first.seq
    assert report.event.pk == second.pk  # the event now standing at that place
    assert "link to the previous event is broken" in report.reason
    assert not verify_file(trail["file"]).ok


def _rewrite_with_plain_hashes(chain: str, change) -> None:
    """What a database administrator without the audit key can do: change an
    event, then recompute every hash of the chain with plain SHA-256 and set
    the head, so the chain links up again."""
    prev = "0" * 64
    rows = list(
        AuditEvent.objects.filter(chain=chain)
        .order_by("seq")
        .values_list("pk", "seq", "at", "actor", "action", "organisation_id_ref", "case_reference", "detail")
    )
    for pk, seq, at, actor, action, org, case, detail in rows:
        actor, detail = change(seq, actor, detail)
        new_hash = plain_hash(chain, seq, at, actor, action, org, case, detail, prev)
        _sql(
            "UPDATE audit_auditevent SET actor = %s, detail = %s, prev_hash = %s, hash = %s, key_id = '' WHERE id = %s",
            [actor, json.dumps(detail), prev, new_hash, pk],
        )
        prev = new_hash
    _sql("UPDATE audit_audithead SET last_hash = %s WHERE chain = %s", [prev, chain])


@pytest.mark.django_db
def test_rewriting_the_whole_chain_with_plain_hashes_is_found(trail):
    # Tried: the read attributed to someone else, and every hash recomputed (plain SHA-256) after it.
    chain = _chain(trail["organisation"])
    read = _event(trail, action="case.read")
    _rewrite_with_plain_hashes(
        chain, lambda seq, actor, detail: ("staff:niemand" if seq == read.seq else actor, detail)
    )
    report = verify_chain(chain)
    assert not report.ok
    assert report.broken_at == 1 and report.event.seq == 1
    assert "only a plain hash" in report.reason
    # The checkpoint made before the rewrite no longer holds either.
    assert any("before the checkpoint" in p for p in report.problems)
    first = AuditEvent.objects.get(chain=chain, seq=1)
    out = _verify_command()
    assert f"event 1 ({first.action}, no case, at {first.at.isoformat()})" in out
    file_report = verify_file(trail["file"])
    assert not file_report.ok and f"BROKEN at event 1 ({first.action}" in " ".join(file_report.lines)


@pytest.mark.django_db
def test_cutting_off_the_newest_events_is_found_by_a_checkpoint(trail):
    # Tried: deleting the last events and setting the head back: the sealed events that remain
    # still verify; only the checkpoint, which covers more events, shows what is gone.
    chain = _chain(trail["organisation"])
    checkpoint = trail["checkpoint"]
    keep = checkpoint.seq - 2
    _sql("DELETE FROM audit_auditevent WHERE chain = %s AND seq > %s", [chain, keep])
    last = AuditEvent.objects.get(chain=chain, seq=keep)
    _sql("UPDATE audit_audithead SET last_hash = %s, length = %s WHERE chain = %s", [last.hash, keep, chain])
    report = verify_chain(chain)
    assert report.broken_at is None and not report.ok
    assert report.problems == [
        f"checkpoint of {checkpoint.made_at.isoformat()} ({checkpoint.seq} events): "
        f"events {keep + 1} to {checkpoint.seq} are missing"
    ]
    assert f"events {keep + 1} to {checkpoint.seq} are missing" in _verify_command()
    # The checkpoint file alone, also after the stored checkpoint is gone from the database.
    _sql("DELETE FROM audit_auditcheckpoint")
    file_report = verify_file(trail["file"])
    assert not file_report.ok and f"events {keep + 1} to {checkpoint.seq} are missing" in " ".join(file_report.lines)


@pytest.mark.django_db
def test_a_changed_checkpoint_does_not_hold(trail):
    # Tried: moving the stored checkpoint back to cover fewer events (hiding a cut).
    checkpoint = trail["checkpoint"]
    earlier = AuditEvent.objects.get(chain=checkpoint.chain, seq=checkpoint.seq - 1)
    _sql(
        "UPDATE audit_auditcheckpoint SET seq = %s, head_hash = %s WHERE id = %s",
        [earlier.seq, earlier.hash, checkpoint.pk],
    )
    report = verify_chain(checkpoint.chain)
    assert not report.ok and "the signature does not hold" in report.problems[0]


@pytest.mark.django_db
def test_a_changed_checkpoint_file_does_not_hold(trail):
    # Tried: editing the exported file to cover fewer events.
    data = json.loads(trail["file"])
    data["seq"] -= 1
    data["head_hash"] = AuditEvent.objects.get(chain=data["chain"], seq=data["seq"]).hash
    report = verify_file(json.dumps(data))
    assert not report.ok and "DOES NOT HOLD" in report.lines[0]


@pytest.mark.django_db
def test_a_file_that_is_no_checkpoint_is_refused_by_name(trail, tmp_path):
    # Tried: a random JSON file and a text file as --checkpoint.
    for name, text in (("leeg.json", "{}"), ("brief.txt", "Beste griffie,")):
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(CommandError, match="not a checkpoint file"):
            call_command("verify_audit", "--checkpoint", str(path))


@pytest.mark.django_db
def test_the_application_cannot_change_or_remove_events(trail):
    events = list(AuditEvent.objects.all()[:2])
    for event in events:
        event.actor = "staff:niemand"
    with pytest.raises(PermissionError):
        AuditEvent.objects.bulk_update(events, ["actor"])
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=events[0].pk).update(actor="staff:niemand")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditCheckpoint.objects.all().delete()
    with pytest.raises(PermissionError):
        trail["checkpoint"].save()
    assert verify_chain(_chain(trail["organisation"])).ok


# The audit key -------------------------------------------------------------------------------------------


@pytest.fixture
def rotated_keys(settings, tmp_path, audit_key_file):
    """Put a new audit key in front of the session's one (rotation), for one test."""
    path = tmp_path / "audit.key"
    new_line = f"a-nieuw {base64.b64encode(b'n' * 32).decode()}\n"
    path.write_text(new_line + audit_key_file.read_text())
    settings.AUDIT_KEY_FILE = path
    audit_keys_module.audit_keys.cache_clear()
    yield path
    audit_keys_module.audit_keys.cache_clear()


@pytest.mark.django_db
def test_a_rotated_key_seals_new_events_and_the_old_one_still_verifies(trail, rotated_keys, settings):
    old_ids = set(AuditEvent.objects.values_list("key_id", flat=True))
    event = record("case.read", actor="staff:behandelaar1", organisation=trail["organisation"], case=trail["case"])
    assert event.key_id == "a-nieuw" and "a-nieuw" not in old_ids
    assert all(r.ok for r in verify_all())
    # Tried: dropping the old key from the file: its events can no longer be checked, and the first is named.
    rotated_keys.write_text(rotated_keys.read_text().splitlines()[0] + "\n")
    audit_keys_module.audit_keys.cache_clear()
    report = verify_chain(_chain(trail["organisation"]))
    assert report.broken_at == 1 and "not in the audit key file" in report.reason


@pytest.mark.django_db
def test_without_the_audit_key_nothing_is_recorded(trail, settings, tmp_path):
    settings.AUDIT_KEY_FILE = tmp_path / "weg.key"
    audit_keys_module.audit_keys.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="manage.py create_key"):
            record("case.read", actor="staff:behandelaar1", organisation=trail["organisation"])
    finally:
        audit_keys_module.audit_keys.cache_clear()


def test_meldpunt_does_not_start_with_a_broken_audit_key_file(tmp_path):
    """Tried: `manage.py check` with an audit key file whose key is too short."""
    path = tmp_path / "audit.key"
    path.write_text(f"a1 {base64.b64encode(b'kort').decode()}\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MELDPUNT_")}
    environment.update(MELDPUNT_AUDIT_KEY_FILE=str(path), MELDPUNT_STATE_DIR=str(tmp_path / "state"))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "the audit key must be 32 bytes" in result.stderr


def test_create_key_makes_the_audit_key_once(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MELDPUNT_")}
    environment.update(MELDPUNT_STATE_DIR=str(tmp_path / "state"))
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "manage.py", "create_key"], cwd=ROOT, env=environment, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
    path = tmp_path / "state" / "audit.key"
    assert "already exists" in result.stdout
    assert audit_keys_module.AuditKeys.from_file(path).active_id.startswith("a")
    assert path.stat().st_mode & 0o077 == 0


# The cut-over of chains written before the audit key -----------------------------------------------------


def _legacy_chain(organisation, count=3) -> str:
    """A chain as it was before the audit key: plain SHA-256 hashes, no key id."""
    from django.utils import timezone

    chain = _chain(organisation)
    prev = "0" * 64
    for seq in range(1, count + 1):
        event = AuditEvent(
            chain=chain,
            seq=seq,
            at=timezone.now(),
            actor="system",
            action="case.created",
            organisation_id_ref=organisation.pk,
            case_reference=f"MP-2025-{seq:04d}",
            detail={"kind": "melding"},
            prev_hash=prev,
        )
        event.hash = plain_hash(*event.values())
        event.save()
        prev = event.hash
    AuditHead.objects.create(chain=chain, last_hash=prev, length=count)
    return chain


def _cut_over():
    from importlib import import_module

    migration = import_module("meldpunt.audit.migrations.0002_keyed_chain_and_checkpoints")
    migration.seal_existing_chains(apps, None)


@pytest.mark.django_db
def test_a_chain_from_before_the_audit_key_is_sealed_once_and_verifies():
    from meldpunt.organisations.models import Organisation

    organisation = Organisation.objects.create(slug="oudstad", name="Gemeente Oudstad")
    chain = _legacy_chain(organisation)
    assert not verify_chain(chain).ok  # plain hashes alone are not enough
    _cut_over()
    cut = AuditEvent.objects.get(chain=chain, seq=4)
    assert cut.action == "audit.keyed" and cut.detail == {"plain_until": 3} and cut.key_id
    assert verify_chain(chain).ok
    record("case.read", actor="staff:x", organisation=organisation)
    assert verify_chain(chain).ok
    # Tried: changing an old (plain) event afterwards and recomputing its plain hash: the sealed
    # cut-over event holds the old hash, so the link there breaks.
    old = AuditEvent.objects.get(chain=chain, seq=3)
    new_hash = plain_hash(chain, 3, old.at, "staff:niemand", old.action, old.organisation_id_ref, old.case_reference,
                          old.detail, old.prev_hash)  # fmt: skip
    _sql("UPDATE audit_auditevent SET actor = 'staff:niemand', hash = %s WHERE id = %s", [new_hash, old.pk])
    report = verify_chain(chain)
    assert report.broken_at == 4 and "link to the previous event" in report.reason
