"""The functional admin's registry pages (/beheer/): what the admin can do, and what nobody else can."""

import datetime

import pytest
from django.urls import reverse

from meldpunt.audit.models import AuditEvent
from meldpunt.organisations.models import Organisation
from meldpunt.registry.models import Appointment, Category, Person, Position
from tests.conftest import verified_client
from tests.factories import report_about


@pytest.fixture
def admin(organisation):
    return verified_client("beheerder")


@pytest.fixture
def other_organisation(db):
    other = Organisation.objects.create(slug="andere-gemeente", name="Gemeente Anderstad")
    person = Person.objects.create(organisation=other, name="Olga Anders")
    position = Position.objects.create(
        organisation=other, code="weth-anders", title="Wethouder Anders", category="wethouder"
    )
    appointment = Appointment.objects.create(position=position, person=person, start_date=datetime.date(2022, 1, 1))
    return {"organisation": other, "person": person, "position": position, "appointment": appointment}


def position(organisation, code):
    return Position.objects.get(organisation=organisation, code=code)


def table_row(html: str, text: str) -> str:
    """The table row on the page whose link reads ``text``."""
    return next(row for row in html.split("<tr")[1:] if f">{text}</a>" in row)


def position_data(**overrides):
    data = {
        "title": "Wethouder Klimaat",
        "code": "weth-klimaat",
        "category": "wethouder",
        "portfolio": "Klimaat, Energie",
        "unit": "",
        "reports_to": "",
        "deputy": "",
    }
    data.update(overrides)
    return data


# The overview ----------------------------------------------------------------------------------------


def test_overview_shows_holders_and_marks_vacancies(admin, organisation):
    Appointment.objects.filter(position__code="weth-sport").update(end_date=datetime.date(2023, 1, 1))

    response = admin.get(reverse("beheer:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Henk Bosman" in html
    assert "Wethouder Wonen" in html
    sport = table_row(html, "Wethouder Sport")
    assert "Vacant" in sport
    assert "Johan Kuipers" not in sport
    assert "1 functie is vandaag vacant" in html
    # A former holder is not shown as holding the position today.
    assert "Henk Bosman" in table_row(html, "Wethouder Wonen")
    assert "Gerard Wolters" not in table_row(html, "Wethouder Wonen")


def test_overview_lists_people_with_their_current_position(admin, organisation):
    html = admin.get(reverse("beheer:home")).content.decode()

    assert "Personen" in html
    assert "Gerard Wolters" in html  # former wethouder still in the registry
    assert "geen huidige functie" in table_row(html, "Gerard Wolters")


def test_admin_sees_no_report_content(admin, organisation, person):
    case, _code = report_about(organisation, person("Henk Bosman"), description="Geheime beschrijving van het voorval")

    overview = admin.get(reverse("beheer:home")).content.decode()
    case_page = admin.get(reverse("behandelen:case", args=[case.reference]))
    case_list = admin.get(reverse("behandelen:home"))

    assert case.reference not in overview
    assert "Geheime beschrijving" not in overview
    assert case_page.status_code == 404
    # The case list is not the functional admin's work: it sends them to the registry, with no case links.
    assert case_list.status_code == 302 and case_list["Location"] == reverse("beheer:home")
    assert reverse("behandelen:home") + '"' not in overview


# People ----------------------------------------------------------------------------------------------


def test_admin_adds_and_edits_a_person(admin, organisation):
    response = admin.post(reverse("beheer:person_new"), {"name": "Noor de Vries", "email": "n.devries@example.org"})

    new = Person.objects.get(organisation=organisation, name="Noor de Vries")
    assert response.status_code == 302
    assert response["Location"] == reverse("beheer:person", args=[new.pk])
    assert "Noor de Vries is opgeslagen." in admin.get(response["Location"]).content.decode()

    admin.post(reverse("beheer:person", args=[new.pk]), {"name": "Noor de Vries-Jansen", "email": ""})

    new.refresh_from_db()
    assert new.name == "Noor de Vries-Jansen"
    assert new.email == ""
    assert AuditEvent.objects.filter(action="registry.person.created").count() == 1
    assert AuditEvent.objects.filter(action="registry.person.changed").count() == 1


def test_person_without_name_is_refused_and_email_typed_is_kept(admin, organisation):
    before = Person.objects.count()
    # Tried: an empty name with an e-mail address filled in.
    response = admin.post(reverse("beheer:person_new"), {"name": "", "email": "iemand@example.org"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Er is iets nog niet goed" in html
    assert "Dit veld is verplicht." in html
    assert 'value="iemand@example.org"' in html
    assert Person.objects.count() == before


def test_person_with_a_bad_email_is_refused(admin, organisation):
    # Tried: "geen-adres" as e-mail address.
    response = admin.post(reverse("beheer:person_new"), {"name": "Noor", "email": "geen-adres"})

    assert response.status_code == 400
    assert "geldig e-mailadres" in response.content.decode()
    assert not Person.objects.filter(name="Noor").exists()


def test_person_page_shows_their_positions(admin, person):
    html = admin.get(reverse("beheer:person", args=[person("Gerard Wolters").pk])).content.decode()

    assert "Wethouder Wonen" in html
    assert "31 mei 2022" in html


def test_names_with_html_are_shown_as_text(admin, organisation):
    # Tried: a name and a title that contain a script tag.
    admin.post(reverse("beheer:person_new"), {"name": "<script>alert('x')</script>Eva", "email": ""})
    admin.post(reverse("beheer:position_new"), position_data(title="<b onmouseover=alert(1)>Wethouder</b>"))

    html = admin.get(reverse("beheer:home")).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;Eva" in html
    assert "<b onmouseover" not in html
    assert "&lt;b onmouseover=alert(1)&gt;Wethouder&lt;/b&gt;" in html


# Positions -------------------------------------------------------------------------------------------


def test_admin_creates_a_position_with_reporting_line_and_deputy(admin, organisation):
    burgemeester = position(organisation, "burgemeester")
    wonen = position(organisation, "weth-wonen")

    response = admin.post(
        reverse("beheer:position_new"),
        position_data(code="Weth-Klimaat", reports_to=burgemeester.pk, deputy=wonen.pk),
    )

    created = position(organisation, "weth-klimaat")
    assert response.status_code == 302
    assert created.title == "Wethouder Klimaat"
    assert created.category == Category.WETHOUDER
    assert created.portfolio == "Klimaat, Energie"
    assert created.reports_to == burgemeester
    assert created.deputy == wonen
    page = admin.get(response["Location"]).content.decode()
    assert "De functie Wethouder Klimaat is opgeslagen." in page
    assert "Vacant" in page


def test_admin_edits_a_position(admin, organisation):
    manager = position(organisation, "mgr-vergunningen")
    dir_sociaal = position(organisation, "dir-sociaal")

    response = admin.post(
        reverse("beheer:position", args=[manager.pk]),
        position_data(
            title="Manager Vergunningen en Toezicht",
            code="mgr-vergunningen",
            category="manager",
            portfolio="",
            unit="Vergunningen en Toezicht",
            reports_to=dir_sociaal.pk,
        ),
    )

    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.title == "Manager Vergunningen en Toezicht"
    assert manager.unit == "Vergunningen en Toezicht"
    assert manager.reports_to == dir_sociaal
    assert manager.deputy is None


def test_duplicate_position_code_is_refused(admin, organisation):
    # Tried: a new position with the code of the existing "weth-wonen".
    response = admin.post(reverse("beheer:position_new"), position_data(code="weth-wonen"))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Er is al een functie met deze code." in html
    assert 'value="Wethouder Klimaat"' in html
    assert Position.objects.filter(organisation=organisation, code="weth-wonen").count() == 1


def test_position_cannot_report_to_itself(admin, organisation):
    manager = position(organisation, "mgr-vergunningen")
    # Tried: choosing the position itself as "rapporteert aan" (not in the list, so posted by hand).
    response = admin.post(
        reverse("beheer:position", args=[manager.pk]),
        position_data(title=manager.title, code=manager.code, category="manager", reports_to=manager.pk),
    )

    assert response.status_code == 400
    assert "Selecteer een geldige keuze" in response.content.decode()
    manager.refresh_from_db()
    assert manager.reports_to == position(organisation, "dir-ruimte")


def test_reporting_line_cycle_is_refused(admin, organisation):
    dir_ruimte = position(organisation, "dir-ruimte")
    medewerker = position(organisation, "mdw-vergunningen-1")
    # Tried: Directeur Ruimte reporting to a medewerker who (via the manager) reports to Directeur Ruimte.
    response = admin.post(
        reverse("beheer:position", args=[dir_ruimte.pk]),
        position_data(title=dir_ruimte.title, code=dir_ruimte.code, category="directeur", reports_to=medewerker.pk),
    )

    assert response.status_code == 400
    assert "Dit maakt een kring" in response.content.decode()
    dir_ruimte.refresh_from_db()
    assert dir_ruimte.reports_to == position(organisation, "gemeentesecretaris")


def test_deputy_cycle_is_refused(admin, organisation):
    manager = position(organisation, "mgr-vergunningen")
    wijkzaken = position(organisation, "mgr-wijkzaken")
    Position.objects.filter(pk=wijkzaken.pk).update(deputy=manager)
    # Tried: manager Vergunningen deputised by manager Wijkzaken, who is already deputised by Vergunningen.
    response = admin.post(
        reverse("beheer:position", args=[manager.pk]),
        position_data(
            title=manager.title,
            code=manager.code,
            category="manager",
            reports_to=manager.reports_to_id,
            deputy=wijkzaken.pk,
        ),
    )

    assert response.status_code == 400
    assert "Dit maakt een kring" in response.content.decode()
    manager.refresh_from_db()
    assert manager.deputy is None


def test_position_without_title_and_category_keeps_what_was_typed(admin, organisation):
    before = Position.objects.count()
    # Tried: no title and no category, with a portfolio typed.
    response = admin.post(reverse("beheer:position_new"), position_data(title="", category="", portfolio="Haven"))

    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("Dit veld is verplicht.") >= 2
    assert 'value="Haven"' in html
    assert Position.objects.count() == before


# Appointments ----------------------------------------------------------------------------------------


def test_admin_appoints_someone_and_ends_the_appointment(admin, organisation, person):
    sport = position(organisation, "weth-sport")
    Appointment.objects.filter(position=sport).update(end_date=datetime.date(2024, 12, 31))
    noor = Person.objects.create(organisation=organisation, name="Noor de Vries")

    response = admin.post(
        reverse("beheer:appointment_add", args=[sport.pk]),
        {"person": noor.pk, "start_date": "2025-01-01", "end_date": ""},
    )

    assert response.status_code == 302
    assert "Noor de Vries bekleedt nu de functie Wethouder Sport." in admin.get(response["Location"]).content.decode()
    appointment = Appointment.objects.get(position=sport, person=noor)
    assert appointment.start_date == datetime.date(2025, 1, 1)
    assert appointment.end_date is None

    response = admin.post(reverse("beheer:appointment_end", args=[appointment.pk]), {"end_date": "2025-06-30"})

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.end_date == datetime.date(2025, 6, 30)
    overview = admin.get(reverse("beheer:home")).content.decode()
    assert "Vacant" in table_row(overview, "Wethouder Sport")


def test_overlapping_appointment_is_refused(admin, organisation, person):
    wonen = position(organisation, "weth-wonen")
    noor = Person.objects.create(organisation=organisation, name="Noor de Vries")
    # Tried: appointing a second wethouder Wonen while Henk Bosman still holds the position.
    response = admin.post(
        reverse("beheer:appointment_add", args=[wonen.pk]),
        {"person": noor.pk, "start_date": "2025-01-01", "end_date": ""},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Deze functie is in die periode al bezet door iemand anders." in html
    assert 'value="2025-01-01"' in html
    assert not Appointment.objects.filter(person=noor).exists()


def test_end_before_start_is_refused(admin, organisation, person):
    appointment = Appointment.objects.get(person=person("Henk Bosman"))
    # Tried: ending Henk Bosman's appointment (since 1 June 2022) on 1 January 2020.
    response = admin.post(reverse("beheer:appointment_end", args=[appointment.pk]), {"end_date": "2020-01-01"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "De einddatum ligt voor de begindatum." in html
    assert 'value="2020-01-01"' in html
    appointment.refresh_from_db()
    assert appointment.end_date is None


def test_new_appointment_with_end_before_start_is_refused(admin, organisation):
    sport = position(organisation, "weth-sport")
    noor = Person.objects.create(organisation=organisation, name="Noor de Vries")
    # Tried: start 2030-05-01, end 2030-04-01.
    response = admin.post(
        reverse("beheer:appointment_add", args=[sport.pk]),
        {"person": noor.pk, "start_date": "2030-05-01", "end_date": "2030-04-01"},
    )

    assert response.status_code == 400
    assert "De einddatum ligt voor de begindatum." in response.content.decode()
    assert not Appointment.objects.filter(person=noor).exists()


# Who may use these pages -----------------------------------------------------------------------------


BEHEER_PAGES = [
    ("beheer:home", False),
    ("beheer:person_new", False),
    ("beheer:position_new", False),
    ("beheer:import", False),
    ("beheer:import_example", False),
    ("beheer:person", True),
    ("beheer:position", True),
    ("beheer:appointment_add", True),
    ("beheer:appointment_end", True),
]


def _url(organisation, name, needs_pk):
    if not needs_pk:
        return reverse(name)
    henk = Person.objects.get(organisation=organisation, name="Henk Bosman")
    wonen = position(organisation, "weth-wonen")
    pk = {
        "beheer:person": henk.pk,
        "beheer:position": wonen.pk,
        "beheer:appointment_add": wonen.pk,
        "beheer:appointment_end": Appointment.objects.get(person=henk).pk,
    }[name]
    return reverse(name, args=[pk])


@pytest.mark.parametrize("username", ["behandelaar1", "wethouder", "burgemeester", "vertrouwenspersoon"])
@pytest.mark.parametrize("name,needs_pk", BEHEER_PAGES)
def test_other_staff_get_403_on_beheer_pages(organisation, username, name, needs_pk):
    client = verified_client(username)
    url = _url(organisation, name, needs_pk)

    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Indringer", "title": "x", "end_date": "2025-01-01"}).status_code == 403
    assert not Person.objects.filter(name="Indringer").exists()
    assert Appointment.objects.filter(end_date=datetime.date(2025, 1, 1)).count() == 0


def test_visitor_without_login_is_sent_to_the_login_page(organisation, client):
    response = client.get(reverse("beheer:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_handler_sees_no_link_to_the_registry(organisation, handler_client, admin):
    assert reverse("beheer:home") not in handler_client.get(reverse("behandelen:home")).content.decode()
    assert reverse("beheer:home") in admin.get(reverse("beheer:home")).content.decode()


# Another organisation --------------------------------------------------------------------------------


def test_another_organisations_objects_give_404(admin, other_organisation):
    other = other_organisation
    urls = [
        reverse("beheer:person", args=[other["person"].pk]),
        reverse("beheer:position", args=[other["position"].pk]),
        reverse("beheer:appointment_add", args=[other["position"].pk]),
        reverse("beheer:appointment_end", args=[other["appointment"].pk]),
    ]
    for url in urls:
        assert admin.get(url).status_code == 404, url
        assert admin.post(url, {"name": "Overgenomen", "end_date": "2025-01-01"}).status_code == 404, url

    other["person"].refresh_from_db()
    other["appointment"].refresh_from_db()
    assert other["person"].name == "Olga Anders"
    assert other["appointment"].end_date is None


def test_another_organisation_is_not_in_the_overview(admin, other_organisation):
    html = admin.get(reverse("beheer:home")).content.decode()

    assert "Olga Anders" not in html
    assert "Wethouder Anders" not in html


def test_another_organisations_position_cannot_be_chosen(admin, organisation, other_organisation):
    foreign = other_organisation["position"]
    form_html = admin.get(reverse("beheer:position_new")).content.decode()
    assert "Wethouder Anders" not in form_html

    # Tried: posting the other organisation's position as reports_to and as deputy.
    for field in ("reports_to", "deputy"):
        response = admin.post(reverse("beheer:position_new"), position_data(**{field: foreign.pk}))

        assert response.status_code == 400
        assert "Selecteer een geldige keuze" in response.content.decode()
    assert not Position.objects.filter(code="weth-klimaat").exists()


def test_another_organisations_person_cannot_be_appointed(admin, organisation, other_organisation):
    sport = position(organisation, "weth-sport")
    Appointment.objects.filter(position=sport).update(end_date=datetime.date(2024, 12, 31))
    # Tried: appointing Olga Anders of Gemeente Anderstad.
    response = admin.post(
        reverse("beheer:appointment_add", args=[sport.pk]),
        {"person": other_organisation["person"].pk, "start_date": "2025-01-01", "end_date": ""},
    )

    assert response.status_code == 400
    assert "Selecteer een geldige keuze" in response.content.decode()
    assert not Appointment.objects.filter(position=sport, person=other_organisation["person"]).exists()


def test_person_choices_are_limited_to_the_organisation(admin, organisation, other_organisation):
    html = admin.get(reverse("beheer:appointment_add", args=[position(organisation, "weth-sport").pk])).content.decode()

    assert "Henk Bosman" in html
    assert "Olga Anders" not in html


@pytest.mark.django_db
def test_every_demo_position_can_be_saved_unchanged(organisation):
    """The demo registry obeys the registry's own rules (no deputy or reporting cycles)."""
    from meldpunt.registry.models import Position

    for position in Position.objects.filter(organisation=organisation):
        position.full_clean()
