"""Checkpoints by schedule and by command: every chain that grew is signed,
the newest can be exported as files, and those files verify the chain alone."""

import pytest
from django.core.management import call_command

from meldpunt.audit.models import AuditCheckpoint
from meldpunt.audit.tasks import _waiting, audit_checkpoints, schedule
from tests.factories import report_about


@pytest.mark.django_db
def test_the_command_signs_grown_chains_and_exports_files_that_verify(organisation, person, tmp_path, capsys):
    report_about(organisation, person("Henk Bosman"))
    call_command("audit_checkpoint", "--export", str(tmp_path))
    assert AuditCheckpoint.objects.count() == 1
    files = list(tmp_path.glob("audit-checkpoint-org-*.json"))
    assert len(files) == 1
    # Nothing grew: no new checkpoint, but the newest one is exported again.
    call_command("audit_checkpoint", "--export", str(tmp_path / "again"))
    assert AuditCheckpoint.objects.count() == 1
    assert len(list((tmp_path / "again").glob("*.json"))) == 1
    capsys.readouterr()
    call_command("verify_audit", "--checkpoint", str(files[0]))
    assert "Nothing up to the checkpoint(s) has changed." in capsys.readouterr().out


@pytest.mark.django_db
def test_the_hourly_task_signs_what_grew_and_queues_itself_once(organisation, person):
    assert schedule() and not schedule()  # a second scheduler leaves the one waiting run
    assert _waiting().count() == 1
    report_about(organisation, person("Henk Bosman"))
    assert audit_checkpoints.func() == 1
    assert audit_checkpoints.func() == 0  # nothing grew since
    assert _waiting().count() == 1
