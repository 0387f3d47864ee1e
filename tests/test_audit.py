"""The audit trail is a hash chain per organisation that a command verifies."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from meldpunt.audit.log import verify_all
from meldpunt.audit.models import AuditEvent
from tests.conftest import verified_client
from tests.factories import report_about


@pytest.fixture
def trail(organisation, person):
    case, _ = report_about(organisation, person("Henk Bosman"))
    verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/")
    report_about(organisation, person("Pieter de Groot"))
    return case


@pytest.mark.django_db
def test_chain_verifies(trail, capsys):
    assert [r.ok for r in verify_all()] == [True]
    call_command("verify_audit")
    assert "All audit chains and checkpoints verify" in capsys.readouterr().out


@pytest.mark.django_db
def test_events_cannot_be_changed_or_deleted_through_the_orm(trail):
    event = AuditEvent.objects.first()
    event.actor = "iemand anders"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(action="case.read").delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(actor="x")


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.django_db
def test_tampering_in_the_database_is_detected(trail):
    # Tried: rewriting who read the case, straight in SQL.
    _sql("UPDATE audit_auditevent SET actor = 'staff:niemand' WHERE action = 'case.read'")
    report = verify_all()[0]
    assert not report.ok and "changed" in report.reason
    with pytest.raises(CommandError):
        call_command("verify_audit")


@pytest.mark.django_db
def test_the_command_names_the_changed_event(trail, capsys):
    # Tried: changing the detail of the case-read event in SQL (the model refuses updates).
    event = AuditEvent.objects.get(action="case.read")
    _sql("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ['{"vervalst": true}', event.pk])
    with pytest.raises(CommandError):
        call_command("verify_audit")
    out = capsys.readouterr().out
    assert f"event {event.seq} (case.read, case {trail.reference}, at {event.at.isoformat()})" in out
    assert "changed after it was written" in out


@pytest.mark.django_db
def test_deleting_an_event_is_detected(trail):
    # Tried: removing the read event from the middle of the chain.
    _sql("DELETE FROM audit_auditevent WHERE action = 'case.read'")
    assert not verify_all()[0].ok


@pytest.mark.django_db
def test_cutting_off_the_end_is_detected(trail):
    # Tried: deleting the latest event, so the chain itself still links up.
    last = AuditEvent.objects.order_by("-seq").first()
    _sql("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    report = verify_all()[0]
    assert not report.ok and "missing" in report.reason


@pytest.mark.django_db
def test_audit_events_hold_no_report_content(organisation, person):
    from meldpunt.cases.actions import submit_report
    from tests.factories import ReportInputFactory

    submit_report(organisation, ReportInputFactory(description="Geheime beschrijving Lepelaar"))
    for event in AuditEvent.objects.all():
        assert "Lepelaar" not in str(event.detail)
