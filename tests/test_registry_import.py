"""Importing the registry from CSV on /beheer/import/: good files are stored, bad files are refused whole."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meldpunt.audit.models import AuditEvent
from meldpunt.organisations.models import Organisation
from meldpunt.registry import csv_import
from meldpunt.registry.models import Appointment, Person, Position
from tests.conftest import verified_client

HEADER = "code,functie,categorie,portefeuille,afdeling,rapporteert_aan,plaatsvervanger,naam,email,begindatum,einddatum"

GOOD_ROWS = [
    "weth-klimaat,Wethouder Klimaat,wethouder,Klimaat,,,weth-wonen,Noor de Vries,n.devries@example.org,2025-01-01,",
    "mgr-klimaat,Manager Klimaat,manager,,Klimaat,dir-ruimte,,Sem Bakker,,01-02-2025,",
    "mdw-klimaat-1,Medewerker Klimaat,medewerker,,Klimaat,mgr-klimaat,,,,,",
]


def csv_file(*rows, header=HEADER, delimiter=",", bom=False, encoding="utf-8") -> bytes:
    text = "\r\n".join([header.replace(",", delimiter), *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


@pytest.fixture
def admin(organisation):
    return verified_client("beheerder")


def upload(client, data: bytes, name="register.csv"):
    return client.post(reverse("beheer:import"), {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def registry_state(organisation):
    """Everything an import could change, to compare before and after."""
    return (
        sorted(
            Position.objects.filter(organisation=organisation).values_list(
                "code", "title", "category", "portfolio", "unit", "reports_to__code", "deputy__code"
            )
        ),
        sorted(Person.objects.filter(organisation=organisation).values_list("name", "email")),
        sorted(
            Appointment.objects.filter(position__organisation=organisation).values_list(
                "position__code", "person__name", "start_date", "end_date"
            ),
            key=str,
        ),
    )


def assert_refused(response, organisation, before, *expected):
    """The page says the file was refused, names each expected problem, and nothing changed."""
    assert response.status_code == 400
    html = response.content.decode()
    assert "Het bestand is niet ingelezen" in html
    assert "Er is niets opgeslagen" in html
    for text in expected:
        assert text in html, text
    assert registry_state(organisation) == before
    assert not AuditEvent.objects.filter(action="registry.imported").exists()
    return html


# Good files ------------------------------------------------------------------------------------------


def test_import_creates_positions_people_and_appointments(admin, organisation):
    response = upload(admin, csv_file(*GOOD_ROWS))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Het bestand is ingelezen" in html
    assert "3 functies toegevoegd" in html
    assert "2 personen toegevoegd" in html
    assert "2 benoemingen toegevoegd" in html
    klimaat = Position.objects.get(organisation=organisation, code="weth-klimaat")
    assert klimaat.title == "Wethouder Klimaat"
    assert klimaat.portfolio == "Klimaat"
    assert klimaat.deputy.code == "weth-wonen"
    medewerker = Position.objects.get(organisation=organisation, code="mdw-klimaat-1")
    assert medewerker.reports_to.code == "mgr-klimaat"  # a code defined earlier in the same file
    assert not medewerker.appointments.exists()  # empty naam: vacant
    noor = Appointment.objects.get(position=klimaat)
    assert (noor.person.name, noor.person.email, noor.start_date, noor.end_date) == (
        "Noor de Vries",
        "n.devries@example.org",
        datetime.date(2025, 1, 1),
        None,
    )
    # DD-MM-YYYY is read as day-month-year.
    assert Appointment.objects.get(position__code="mgr-klimaat").start_date == datetime.date(2025, 2, 1)
    assert AuditEvent.objects.filter(action="registry.imported").count() == 1


def test_imported_vacancy_is_marked_vacant_in_the_overview(admin, organisation):
    upload(admin, csv_file(*GOOD_ROWS))

    html = admin.get(reverse("beheer:home")).content.decode()
    row = next(r for r in html.split("<tr")[1:] if ">Medewerker Klimaat</a>" in r)
    assert "Vacant" in row


def test_importing_the_same_file_twice_changes_nothing(admin, organisation):
    data = csv_file(*GOOD_ROWS)
    upload(admin, data)
    after_first = registry_state(organisation)

    response = upload(admin, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Er is niets veranderd" in html
    assert "0 functies toegevoegd" in html
    assert "0 functies bijgewerkt" in html
    assert "3 functies ongewijzigd" in html
    assert registry_state(organisation) == after_first


def test_semicolons_and_byte_order_mark_as_written_by_dutch_excel(admin, organisation):
    # The portfolio contains a comma: fine with semicolons as separator.
    data = csv_file(
        "weth-klimaat;Wethouder Klimaat;wethouder;Klimaat, Energie;;;;Noor de Vries;;15-03-2025;",
        delimiter=";",
        bom=True,
    )

    response = upload(admin, data)

    assert response.status_code == 200, response.content.decode()
    klimaat = Position.objects.get(organisation=organisation, code="weth-klimaat")
    assert klimaat.portfolio == "Klimaat, Energie"
    assert klimaat.appointments.get().start_date == datetime.date(2025, 3, 15)


def test_upsert_updates_an_existing_position_by_code(admin, organisation):
    before_count = Position.objects.count()
    data = csv_file("mgr-vergunningen,Manager Vergunningen en Toezicht,manager,,Toezicht,dir-sociaal,,,,,")

    response = upload(admin, data)

    html = response.content.decode()
    assert "1 functie bijgewerkt" in html
    assert "Manager Vergunningen en Toezicht (mgr-vergunningen)" in html
    manager = Position.objects.get(organisation=organisation, code="mgr-vergunningen")
    assert (manager.title, manager.unit, manager.reports_to.code) == (
        "Manager Vergunningen en Toezicht",
        "Toezicht",
        "dir-sociaal",
    )
    assert Position.objects.count() == before_count
    # An empty naam leaves the current holder in place.
    assert manager.holders_on(datetime.date.today()).get().name == "Erik Peters"


def test_columns_left_out_stay_as_they_are(admin, organisation):
    response = upload(admin, csv_file("mgr-vergunningen,Manager Vergunningen,manager", header="code,functie,categorie"))

    assert response.status_code == 200
    assert "1 functie ongewijzigd" in response.content.decode()
    manager = Position.objects.get(organisation=organisation, code="mgr-vergunningen")
    assert manager.reports_to.code == "dir-ruimte"
    assert manager.unit == "Vergunningen"


def test_new_holder_ends_the_previous_holders_appointment(admin, organisation):
    data = csv_file('weth-sport,Wethouder Sport,wethouder,"Sport, Cultuur",,,,Noor de Vries,,2026-06-01,')

    response = upload(admin, data)

    html = response.content.decode()
    assert response.status_code == 200, html
    assert "1 vorige bekleder beëindigd" in html
    assert "Johan Kuipers — Wethouder Sport, beëindigd op 31 mei 2026" in html
    johan = Appointment.objects.get(person__name="Johan Kuipers")
    assert johan.end_date == datetime.date(2026, 5, 31)
    assert Appointment.objects.get(person__name="Noor de Vries").start_date == datetime.date(2026, 6, 1)
    # And again: nothing more changes.
    again = upload(admin, data).content.decode()
    assert "Er is niets veranderd" in again


def test_existing_person_is_recognised_by_name(admin, organisation):
    people_before = Person.objects.count()
    data = csv_file("weth-wonen,Wethouder Wonen,wethouder,,,,,Henk Bosman,,2022-06-01,2026-05-31")

    response = upload(admin, data)

    html = response.content.decode()
    assert "0 personen toegevoegd" in html
    assert "1 einddatum aangepast" in html
    assert Person.objects.count() == people_before
    henk = Appointment.objects.get(person__name="Henk Bosman")
    assert henk.end_date == datetime.date(2026, 5, 31)


def test_someone_new_holding_two_positions_is_one_person(admin, organisation):
    data = csv_file(
        "weth-klimaat,Wethouder Klimaat,wethouder,,,,,Noor de Vries,n.devries@example.org,2025-01-01,",
        "raadslid-9,Raadslid,raadslid,,Gemeenteraad,,,noor de vries,,2024-01-01,2024-12-31",
    )

    html = upload(admin, data).content.decode()

    assert "1 persoon toegevoegd" in html
    noor = Person.objects.get(organisation=organisation, name="Noor de Vries")
    assert noor.email == "n.devries@example.org"
    assert sorted(noor.appointments.values_list("position__code", flat=True)) == ["raadslid-9", "weth-klimaat"]


def test_same_name_twice_in_the_registry_needs_the_email_address(admin, organisation):
    Person.objects.create(organisation=organisation, name="Henk Bosman", email="henk.b@elders.example")
    before = registry_state(organisation)
    # Tried: naming "Henk Bosman" without e-mail while two people of that name are in the registry.
    data = csv_file("weth-wonen,Wethouder Wonen,wethouder,,,,,Henk Bosman,,2022-06-01,")

    assert_refused(
        upload(admin, data),
        organisation,
        before,
        "Regel 2: Er staan 2 personen met de naam Henk Bosman in het register. Vul het e-mailadres in",
    )

    data = csv_file(
        "weth-wonen,Wethouder Wonen,wethouder,Henk Bosman,h.bosman@voorbeeldstad.example,2022-06-01",
        header="code,functie,categorie,naam,email,begindatum",
    )
    response = upload(admin, data)
    assert response.status_code == 200
    assert "Er is niets veranderd" in response.content.decode()


def test_new_email_address_updates_the_person(admin, organisation):
    data = csv_file("weth-wonen,Wethouder Wonen,wethouder,,,,,Henk Bosman,henk@nieuw.example,2022-06-01,")

    html = upload(admin, data).content.decode()

    assert "Nieuw e-mailadres" in html
    assert Person.objects.get(organisation=organisation, name="Henk Bosman").email == "henk@nieuw.example"


def test_html_in_names_is_shown_as_text_in_the_summary(admin, organisation):
    data = csv_file("weth-klimaat,<img src=x onerror=alert(1)>,wethouder,,,,,<script>alert(1)</script>,,2025-01-01,")

    html = upload(admin, data).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert Person.objects.filter(name="<script>alert(1)</script>").exists()


def test_example_file_from_the_import_page_imports_cleanly(admin, db):
    page = admin.get(reverse("beheer:import")).content.decode()
    assert reverse("beheer:import_example") in page
    assert "rapporteert_aan" in page and "plaatsvervanger" in page  # the column description
    example = admin.get(reverse("beheer:import_example"))
    assert example["Content-Type"].startswith("text/csv")
    assert "attachment" in example["Content-Disposition"]
    data = example.content
    assert data.startswith(b"\xef\xbb\xbf")

    # Into the demo municipality (which already has these people and Ingrid Vos's login) ...
    response = upload(admin, data)
    assert response.status_code == 200, response.content.decode()
    # ... and again: nothing changes. (Into an empty organisation of a new
    # installation: tests/test_registry_history.py.)
    assert "Er is niets veranderd" in upload(admin, data).content.decode()


def test_import_stays_in_the_admins_organisation(admin, organisation):
    other = Organisation.objects.create(slug="andere-gemeente", name="Gemeente Anderstad")
    Position.objects.create(organisation=other, code="weth-anders", title="Wethouder Anders", category="wethouder")
    before_other = registry_state(other)
    # Tried: referring to the other organisation's position code, and reusing a code that exists there.
    response = upload(admin, csv_file("mgr-klimaat,Manager Klimaat,manager,,,weth-anders,,,,,"))

    assert_refused(
        response,
        organisation,
        registry_state(organisation),
        "Regel 2: rapporteert_aan: er is geen functie met code „weth-anders”",
    )
    upload(admin, csv_file("weth-anders,Wethouder Anders,wethouder,,,,,,,,"))
    assert Position.objects.filter(organisation=organisation, code="weth-anders").exists()
    assert registry_state(other) == before_other


# Bad files: refused with the line number, nothing stored ----------------------------------------------


def test_unknown_category_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: category "wethoudster" on the second data row (line 3); line 2 is valid.
    data = csv_file(GOOD_ROWS[0], "weth-x,Wethouder X,wethoudster,,,,,,,,")

    assert_refused(upload(admin, data), organisation, before, "Regel 3: Onbekende categorie „wethoudster”. Kies uit:")


def test_unknown_reports_to_code_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: rapporteert_aan "dir-onbekend", a code in neither the file nor the registry.
    data = csv_file("mgr-klimaat,Manager Klimaat,manager,,,dir-onbekend,,,,,")

    assert_refused(
        upload(admin, data),
        organisation,
        before,
        "Regel 2: rapporteert_aan: er is geen functie met code „dir-onbekend” in het bestand of in het register.",
    )


def test_unknown_deputy_code_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: plaatsvervanger "weth-onbekend".
    data = csv_file(*GOOD_ROWS[1:], "weth-klimaat,Wethouder Klimaat,wethouder,,,,weth-onbekend,,,,")

    assert_refused(upload(admin, data), organisation, before, "Regel 4: plaatsvervanger: er is geen functie met code")


@pytest.mark.parametrize("bad_date", ["2025-13-01", "31-02-2025", "1 januari 2025", "2025/01/01x"])
def test_bad_date_is_refused(admin, organisation, bad_date):
    before = registry_state(organisation)
    # Tried: a begindatum that is no date (bad month, 31 February, written out, trailing text).
    data = csv_file(f"weth-klimaat,Wethouder Klimaat,wethouder,,,,,Noor de Vries,,{bad_date},")

    assert_refused(
        upload(admin, data),
        organisation,
        before,
        f"Regel 2: begindatum „{bad_date}” is geen geldige datum. Schrijf de datum als JJJJ-MM-DD",
    )


def test_end_before_start_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: begindatum 1 June 2025, einddatum 1 January 2025.
    data = csv_file("weth-klimaat,Wethouder Klimaat,wethouder,,,,,Noor de Vries,,2025-06-01,01-01-2025")

    assert_refused(
        upload(admin, data),
        organisation,
        before,
        "Regel 2: De einddatum (1 januari 2025) ligt voor de begindatum (1 juni 2025).",
    )


def test_name_without_start_date_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: a holder's name without a begindatum.
    data = csv_file("weth-klimaat,Wethouder Klimaat,wethouder,,,,,Noor de Vries,,,")

    assert_refused(upload(admin, data), organisation, before, "Regel 2: De begindatum ontbreekt")


def test_deputy_cycle_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: a → b → c → a as plaatsvervangers, on lines 2 to 4.
    data = csv_file(
        "pos-a,Functie A,manager,,,,pos-b,,,,",
        "pos-b,Functie B,manager,,,,pos-c,,,,",
        "pos-c,Functie C,manager,,,,pos-a,,,,",
    )

    html = assert_refused(
        upload(admin, data),
        organisation,
        before,
        "Regel 2: De plaatsvervangers vormen een kring: pos-a → pos-b → pos-c → pos-a.",
        "Zie ook regel 3, 4.",
    )
    assert html.count("vormen een kring") == 1  # one cycle, reported once


def test_reporting_cycle_through_the_registry_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: gemeentesecretaris reporting to manager Vergunningen, who (in the registry) reports to
    # Directeur Ruimte, who reports to the gemeentesecretaris.
    data = csv_file("gemeentesecretaris,Gemeentesecretaris,gemeentesecretaris,,Directie,mgr-vergunningen,,,,,")

    assert_refused(
        upload(admin, data),
        organisation,
        before,
        "Regel 2: De lijn van rapporteert_aan vormen een kring: "
        "gemeentesecretaris → mgr-vergunningen → dir-ruimte → gemeentesecretaris.",
    )


def test_self_reference_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: a position that reports to itself and is its own deputy.
    data = csv_file("pos-a,Functie A,manager,,,pos-a,pos-a,,,,")

    assert_refused(
        upload(admin, data),
        organisation,
        before,
        "Regel 2: Een functie kan niet aan zichzelf rapporteren.",
        "Regel 2: Een functie kan niet haar eigen plaatsvervanger zijn.",
    )


def test_duplicate_code_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: the code weth-klimaat on lines 2 and 4 (once in capitals).
    data = csv_file(GOOD_ROWS[0], GOOD_ROWS[1], "WETH-KLIMAAT,Wethouder Klimaat 2,wethouder,,,,,,,,")

    assert_refused(
        upload(admin, data),
        organisation,
        before,
        "Regel 4: De code „WETH-KLIMAAT” staat ook al op regel 2.",
    )


@pytest.mark.parametrize("missing", ["code", "functie", "categorie"])
def test_missing_required_column_is_refused(admin, organisation, missing):
    before = registry_state(organisation)
    # Tried: a header without one of the required columns.
    header = ",".join(c for c in HEADER.split(",") if c != missing)
    row = ",".join(v for c, v in zip(HEADER.split(","), GOOD_ROWS[2].split(","), strict=True) if c != missing)

    assert_refused(
        upload(admin, csv_file(row, header=header)),
        organisation,
        before,
        f"Regel 1: De verplichte kolom „{missing}” ontbreekt in de kopregel.",
    )


def test_unknown_column_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: a misspelt column "rapporteertaan".
    data = csv_file("mgr-klimaat,Manager Klimaat,manager,dir-ruimte", header="code,functie,categorie,rapporteertaan")

    assert_refused(upload(admin, data), organisation, before, "Regel 1: Onbekende kolom „rapporteertaan”.")


def test_file_that_is_not_utf8_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: a file saved as Windows-1252 (Excel's plain "CSV"), with "ë" in a title on line 3.
    data = csv_file(GOOD_ROWS[2], "weth-financien,Wethouder Financiën,wethouder,,,,,,,,", encoding="cp1252")

    assert_refused(
        upload(admin, data),
        organisation,
        before,
        "Regel 3: Het bestand is niet in UTF-8 opgeslagen",
        "CSV UTF-8",
    )


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n  \r\n"])
def test_empty_file_is_refused(admin, organisation, content):
    before = registry_state(organisation)
    # Tried: an empty file, a file with only a byte order mark, and one with only blank lines.
    assert_refused(upload(admin, content), organisation, before, "Het bestand is leeg.")


def test_file_with_only_a_header_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: the header row and nothing else.
    assert_refused(
        upload(admin, csv_file()), organisation, before, "Het bestand bevat alleen een kopregel en geen functies."
    )


def test_too_large_file_is_refused(admin, organisation):
    before = registry_state(organisation)
    row = "mdw-{n},Medewerker,medewerker,,{pad},,,,,,"
    rows = [row.format(n=n, pad="x" * 150) for n in range(14_000)]
    data = csv_file(*rows)
    assert len(data) > 2 * 1024 * 1024
    # Tried: a file of more than 2 MB.
    response = upload(admin, data)

    assert response.status_code == 400
    assert "Het bestand is te groot" in response.content.decode()
    assert registry_state(organisation) == before
    with pytest.raises(csv_import.RegistryImportError, match="te groot"):
        csv_import.import_registry(organisation, data)


def test_overlapping_holder_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: a wethouder Wonen for 2020, while Gerard Wolters held it from 2018 until May 2022.
    data = csv_file("weth-wonen,Wethouder Wonen,wethouder,,,,,Noor de Vries,,2020-01-01,2020-12-31")

    assert_refused(
        upload(admin, data),
        organisation,
        before,
        "Regel 2: In die periode bekleedt Gerard Wolters deze functie al (van 1 juni 2018 tot en met 31 mei 2022).",
    )


def test_holder_starting_after_the_new_one_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: an open-ended wethouder Wonen from 2020, while Henk Bosman holds it since June 2022.
    data = csv_file("weth-wonen,Wethouder Wonen,wethouder,,,,,Noor de Vries,,2020-01-01,")

    assert_refused(
        upload(admin, data),
        organisation,
        before,
        "Regel 2: In die periode bekleedt",
        "Een functie heeft één bekleder tegelijk.",
    )


def test_same_holder_with_another_start_date_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: Henk Bosman as wethouder Wonen from 1 July 2022; the registry says since 1 June 2022.
    data = csv_file("weth-wonen,Wethouder Wonen,wethouder,,,,,Henk Bosman,,2022-07-01,")

    assert_refused(
        upload(admin, data),
        organisation,
        before,
        "Regel 2: Henk Bosman bekleedt deze functie volgens het register al (sinds 1 juni 2022).",
    )


def test_email_without_name_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: an e-mail address and begindatum on a row with no naam.
    data = csv_file("weth-klimaat,Wethouder Klimaat,wethouder,,,,,,noor@example.org,2025-01-01,")

    assert_refused(
        upload(admin, data), organisation, before, "Regel 2: Er staat een e-mailadres of datum, maar geen naam."
    )


def test_every_problem_is_reported_at_once(admin, organisation):
    before = registry_state(organisation)
    # Tried: four different mistakes on four lines, next to a good row.
    data = csv_file(
        GOOD_ROWS[0],
        "pos-b,Functie B,baas,,,,,,,,",
        "pos-c,Functie C,manager,,,nergens,,,,,",
        "pos-d,Functie D,manager,,,,,Eva,,gisteren,",
        "pos-e,,manager,,,,,Eva,niet-een-adres,2025-01-01,",
    )

    html = assert_refused(
        upload(admin, data),
        organisation,
        before,
        "Regel 3: Onbekende categorie „baas”",
        "Regel 4: rapporteert_aan: er is geen functie met code „nergens”",
        "Regel 5: begindatum „gisteren” is geen geldige datum",
        "Regel 6: De functie (naam van de functie) ontbreekt.",
        "Regel 6: „niet-een-adres” is geen geldig e-mailadres.",
    )
    assert "er zijn 5 problemen" in html


def test_too_many_fields_on_a_line_is_refused(admin, organisation):
    before = registry_state(organisation)
    # Tried: a comma inside an unquoted portfolio, which shifts every field after it.
    data = csv_file("weth-klimaat,Wethouder Klimaat,wethouder,Klimaat, Energie,,,,Noor de Vries,,2025-01-01,x")

    assert_refused(upload(admin, data), organisation, before, "Regel 2: Deze regel heeft 12 velden, de kopregel 11.")


def test_no_file_chosen_keeps_the_page(admin, organisation):
    # Tried: pressing the button without choosing a file.
    response = admin.post(reverse("beheer:import"), {})

    assert response.status_code == 400
    assert "Dit veld is verplicht." in response.content.decode()
