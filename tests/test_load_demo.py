"""`load_demo` and `make run` print the address the server really listens on."""

import io
import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command


@pytest.mark.django_db
def test_load_demo_prints_the_given_base_url_in_every_link():
    """Tried: the demo served on another port, as `make run PORT=8765 HOST=127.0.0.2` does."""
    out = io.StringIO()
    call_command("load_demo", base_url="http://127.0.0.2:8765/", stdout=out)
    text = out.getvalue()
    assert "public page http://127.0.0.2:8765/voorbeeldstad/" in text
    assert "Demo staff logins (http://127.0.0.2:8765/account/inloggen/)" in text
    assert "8000" not in text


@pytest.mark.django_db
def test_load_demo_without_a_base_url_uses_the_configured_one(settings):
    settings.BASE_URL = "https://meldpunt.voorbeeldstad.example"
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "(https://meldpunt.voorbeeldstad.example/account/inloggen/)" in out.getvalue()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_passes_its_host_and_port_to_load_demo_and_gunicorn():
    """`make -n` prints the commands `make run HOST=127.0.0.2 PORT=8765` would run, without running them."""
    commands = subprocess.run(
        ["make", "-n", "run", "HOST=127.0.0.2", "PORT=8765"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "manage.py load_demo --base-url http://127.0.0.2:8765" in commands
    assert "--bind 127.0.0.2:8765" in commands
    assert "http://127.0.0.1:8000" not in commands


@pytest.mark.django_db
def test_the_demo_has_cases_with_passed_deadlines_and_loading_twice_adds_none():
    """A newcomer sees escalations at once: some demo cases are overdue."""
    from django.utils import timezone

    from meldpunt.cases.models import Case
    from meldpunt.escalation.models import DueDate

    call_command("load_demo", stdout=io.StringIO())
    cases = Case.objects.count()
    assert cases >= 3
    overdue = DueDate.objects.filter(met_at__isnull=True, due_at__lt=timezone.now(), next_action_at__isnull=False)
    assert overdue.values("case").distinct().count() >= 2
    call_command("load_demo", stdout=io.StringIO())
    assert Case.objects.count() == cases
