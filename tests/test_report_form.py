"""The public report form: what a reporter gets for good and bad input."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meldpunt.audit.models import AuditEvent
from meldpunt.cases.models import Attachment, Case, Message, SubjectLink

URL = "/voorbeeldstad/melden/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40


def valid(**overrides):
    data = {
        "action": "verstuur",
        "relation": "inspreker",
        "anonymous": "ja",
        "description": "Na mijn inspraak bij de raadsvergadering kreeg ik berichten.",
        "period_start": "2019-03-01",
        "period_end": "2021-06-30",
        "contact_context": "raadsvergadering",
        "told_before": "nee",
        "wishes": ["gehoord", "actie"],
    }
    data.update(overrides)
    return data


def nothing_stored():
    return not (Case.objects.exists() or Message.objects.exists() or Attachment.objects.exists())


@pytest.mark.django_db
def test_anonymous_report_is_stored_whole_and_shows_the_receipt(client, organisation, person):
    bosman = person("Henk Bosman")
    response = client.post(URL, valid(**{f"persoon_{bosman.pk}": "beschuldigde"}), follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [("/voorbeeldstad/melden/ontvangen/", 302)]
    assert "Uw ontvangstcode" in page
    case = Case.objects.get()
    assert case.kind == "melding" and case.channel == "online" and case.anonymous
    assert case.relation == "inspreker"
    assert case.wishes == ["gehoord", "actie"]
    assert case.content["period_start"] == "2019-03-01"
    assert list(case.subjects.values_list("person__name", "role")) == [("Henk Bosman", "beschuldigde")]
    # Acknowledged at once, with the deadlines the reporter is promised.
    assert case.acknowledged_at is not None
    assert case.feedback_due.date() > (timezone.now() + datetime.timedelta(days=88)).date()
    assert "goed ontvangen" in case.messages.get().body
    assert AuditEvent.objects.filter(action="case.created", case_reference=case.reference).exists()


@pytest.mark.django_db
def test_anonymous_report_drops_contact_details_typed_before_choosing_anonymous(client, organisation):
    client.post(URL, valid(name="Iemand", email="iemand@example.org"))
    case = Case.objects.get()
    assert case.content["name"] == "" and case.content["email"] == ""


@pytest.mark.django_db
def test_named_report_keeps_name_and_contact(client, organisation):
    client.post(URL, valid(anonymous="nee", name="Amira", email="amira@example.org", phone="06-00000000"))
    content = Case.objects.get().content
    assert (content["name"], content["email"], content["phone"]) == ("Amira", "amira@example.org", "06-00000000")


@pytest.mark.django_db
def test_several_people_and_people_not_in_the_registry(client, organisation, person):
    bosman, jansen = person("Henk Bosman"), person("Lotte Jansen")
    client.post(
        URL,
        valid(
            **{
                f"persoon_{bosman.pk}": "beschuldigde",
                f"persoon_{jansen.pk}": "betrokkene",
                "vrij_naam_1": "Man met pet",
                "vrij_functie_1": "bezoeker",
                "vrij_rol_1": "betrokkene",
            }
        ),
    )
    case = Case.objects.get()
    links = {(s.person.name if s.person else s.description()["name"], s.role) for s in case.subjects.all()}
    assert links == {("Henk Bosman", "beschuldigde"), ("Lotte Jansen", "betrokkene"), ("Man met pet", "betrokkene")}


@pytest.mark.django_db
def test_search_round_trip_keeps_everything_typed_and_stores_nothing(client, organisation):
    response = client.post(URL, valid(action="zoek", search="wethouder wonen", name="Mijn naam"))
    page = response.content.decode()
    assert "Henk Bosman" in page
    assert "Pieter de Groot" not in page  # another wethouder, another portfolio
    assert "Na mijn inspraak bij de raadsvergadering" in page
    assert 'value="Mijn naam"' in page
    assert 'value="2019-03-01"' in page
    assert "Er is iets nog niet goed" not in page
    assert nothing_stored()


@pytest.mark.django_db
def test_search_finds_a_name_with_a_typo_and_former_office_holders(client, organisation):
    page = client.post(URL, valid(action="zoek", search="Bosmann")).content.decode()
    assert "Henk Bosman" in page
    page = client.post(URL, valid(action="zoek", search="wethouder wonen")).content.decode()
    assert "Gerard Wolters" in page and "tot 2022" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, field_message",
    [
        ({"description": ""}, "Dit veld is verplicht"),
        ({"relation": ""}, "Dit veld is verplicht"),
        ({"wishes": []}, "Kies minstens één wens"),
        ({"description": "x" * 100_001}, "hoogstens 100.000 tekens, nu 100.001"),
        ({"period_start": "2021-06-30", "period_end": "2019-03-01"}, "De einddatum ligt voor de begindatum"),
        ({"period_start": "2999-01-01", "period_end": ""}, "Deze datum ligt in de toekomst"),
        ({"period_start": "31-02-2020"}, "Voer een geldige datum in"),
        ({"anonymous": "nee", "email": "geen-adres"}, "geldig e-mailadres"),
        ({"persoon_999999": "beschuldigde"}, "staat niet (meer) in het register"),
        ({"persoon_abc": "beschuldigde"}, "staat niet (meer) in het register"),
        ({"vrij_naam_1": "n" * 201}, "te lang"),
    ],
)
def test_bad_input_gets_a_clear_dutch_message_keeps_input_and_stores_nothing(
    client, organisation, overrides, field_message
):
    data = valid(anonymous="nee", name="Getypte Naam", **{k: v for k, v in overrides.items() if k != "anonymous"})
    response = client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Er is iets nog niet goed" in page
    assert field_message in page
    assert 'value="Getypte Naam"' in page  # what was typed is still there
    assert nothing_stored()


@pytest.mark.django_db
def test_person_of_another_organisation_cannot_be_named(client, organisation):
    from meldpunt.organisations.models import Organisation
    from meldpunt.registry.models import Person

    other = Organisation.objects.create(slug="anderstad", name="Gemeente Anderstad")
    outsider = Person.objects.create(organisation=other, name="Buiten Gebied")
    response = client.post(URL, valid(**{f"persoon_{outsider.pk}": "beschuldigde"}))
    assert response.status_code == 400
    assert "staat niet (meer) in het register" in response.content.decode()
    assert not SubjectLink.objects.exists()


@pytest.mark.django_db
def test_html_and_script_in_every_text_field_are_stored_as_text_and_shown_escaped(client, organisation):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.post(
        URL,
        valid(
            anonymous="nee",
            name=attack,
            email="a@example.org",
            phone=attack[:40],
            description=attack,
            told_before="ja",
            told_before_details=attack,
            vrij_naam_1=attack,
            vrij_functie_1=attack,
        ),
    )
    case = Case.objects.get()
    assert case.content["description"] == attack  # stored exactly as typed
    from tests.conftest import verified_client

    page = verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/").content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_attachments_are_stored_encrypted_and_downloadable_by_the_handler(client, organisation):
    files = [SimpleUploadedFile("brief.pdf", PDF), SimpleUploadedFile("foto.png", PNG)]
    response = client.post(URL, valid(files=files))
    assert response.status_code == 302  # stored, on to the receipt
    case = Case.objects.get()
    assert sorted(a.filename for a in case.attachments.all()) == ["brief.pdf", "foto.png"]
    from tests.conftest import verified_client

    attachment = case.attachments.get(content_type="application/pdf")
    download = verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/bijlage/{attachment.public_id}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("rapport.pdf", b"MZ\x90\x00" + b"\x00" * 200), "geen echt .pdf-bestand"),
        (SimpleUploadedFile("foto.jpg", PDF), "geen echt .jpg-bestand"),
        (SimpleUploadedFile("script.exe", b"MZ\x90\x00" + b"\x00" * 200), "soort die wij niet aannemen"),
        (SimpleUploadedFile("pagina.html", b"<html><script>alert(1)</script></html>"), "soort die wij niet aannemen"),
        (SimpleUploadedFile("leeg.pdf", b""), "leeg"),
    ],
)
def test_wrong_or_disguised_files_are_refused_and_nothing_is_stored(client, organisation, upload, message):
    response = client.post(URL, valid(name="Getypte Naam", anonymous="nee", files=[upload]))
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert "Na mijn inspraak bij de raadsvergadering" in page
    assert nothing_stored()


@pytest.mark.django_db
def test_oversized_file_is_refused(client, organisation, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = client.post(URL, valid(files=[SimpleUploadedFile("groot.pdf", PDF + b" " * 2048)]))
    assert response.status_code == 400
    assert "is te groot" in response.content.decode()
    assert nothing_stored()


@pytest.mark.django_db
def test_too_many_files_are_refused(client, organisation):
    files = [SimpleUploadedFile(f"b{i}.pdf", PDF) for i in range(6)]
    response = client.post(URL, valid(files=files))
    assert response.status_code == 400
    assert "hoogstens 5 bestanden" in response.content.decode()
    assert nothing_stored()


@pytest.mark.django_db(transaction=True)
def test_a_failure_halfway_stores_nothing(client, monkeypatch):
    """If storing fails after the case row was written (here: the audit write
    breaks), the whole submission is rolled back and the reporter is told."""
    from meldpunt.cases import actions
    from meldpunt.demo.loader import load_demo

    load_demo()

    def broken_record(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions, "record", broken_record)
    client.raise_request_exception = False
    response = client.post(URL, valid(files=[SimpleUploadedFile("brief.pdf", PDF)]))
    assert response.status_code == 500
    assert nothing_stored()
    page = response.content.decode()
    assert "niet verstuurd" in page and "Er is niets opgeslagen" in page


@pytest.mark.django_db
def test_english_form_gives_english_messages(client, organisation):
    client.cookies["django_language"] = "en"
    response = client.post(URL, valid(description=""))
    page = response.content.decode()
    assert response.status_code == 400
    assert "This field is required" in page
    assert '<html lang="en">' in page


@pytest.mark.django_db
def test_a_file_far_over_the_limit_is_refused_not_dropped(client, organisation, settings):
    """Tried: a 3 MB file with a 1 MB limit. It must not vanish silently."""
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("scan.pdf", PDF + b" " * (3 * 1024 * 1024))
    response = client.post(URL, valid(files=[big]))
    assert response.status_code == 400
    assert "is te groot" in response.content.decode()
    assert nothing_stored()


@pytest.mark.django_db
def test_a_flood_of_files_is_refused_before_it_fills_memory(client, organisation):
    """Tried: 20 files in one request (the form allows 5)."""
    client.raise_request_exception = False
    files = [SimpleUploadedFile(f"b{i}.pdf", PDF) for i in range(20)]
    response = client.post(URL, valid(files=files))
    assert response.status_code == 400
    assert "Er is niets opgeslagen" in response.content.decode()
    assert nothing_stored()
