"""The registry's optional name fields: editable on the person and position pages and in the CSV import.

They feed subject resolution (meldpunt.registry.resolve); every value here is fictional.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meldpunt.registry.models import Person, Position, today
from tests.conftest import verified_client


def person_data(**overrides):
    data = {
        "name": "Bram van der Veld",
        "email": "b.vanderveld@voorbeeldstad.example",
        "roepnaam": "Bram",
        "voornamen": "Abraham Johannes",
        "voorletters": "A.J.",
        "tussenvoegsel": "van der",
        "achternaam": "Veld",
        "aliases": "Bram vd Veld\n\n  B. van der Veld  ",
        "other_emails": "bram@privé.example\nbramvdveld@example.org",
        "handles": "@bramvdveld",
    }
    data.update(overrides)
    return data


def test_the_admin_stores_every_name_field_of_a_person(organisation):
    admin = verified_client("beheerder")
    response = admin.post(reverse("beheer:person_new"), person_data())
    assert response.status_code == 302
    person = Person.objects.get(organisation=organisation, name="Bram van der Veld")
    assert (person.roepnaam, person.voornamen, person.voorletters) == ("Bram", "Abraham Johannes", "A.J.")
    assert (person.tussenvoegsel, person.achternaam) == ("van der", "Veld")
    assert person.aliases == "Bram vd Veld\nB. van der Veld"  # blank lines and spaces dropped
    assert person.email_addresses() == (
        "b.vanderveld@voorbeeldstad.example",
        "bram@privé.example",
        "bramvdveld@example.org",
    )
    page = admin.get(reverse("beheer:person", args=[person.pk])).content.decode()
    assert "Abraham Johannes" in page and "@bramvdveld" in page


def test_a_wrong_extra_address_is_refused_and_what_was_typed_stays(organisation):
    admin = verified_client("beheerder")
    # Bad input: the second line is no e-mail address.
    response = admin.post(reverse("beheer:person_new"), person_data(other_emails="bram@example.org\nbram at home"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "„bram at home” is geen geldig e-mailadres" in html
    assert "Abraham Johannes" in html
    assert not Person.objects.filter(name="Bram van der Veld").exists()


def test_a_handle_with_a_space_is_refused(organisation):
    admin = verified_client("beheerder")
    # Bad input: two handles on one line.
    response = admin.post(reverse("beheer:person_new"), person_data(handles="@bram @bvdveld"))
    assert response.status_code == 400
    assert "bevat een spatie" in response.content.decode()
    assert not Person.objects.filter(name="Bram van der Veld").exists()


def test_a_position_keeps_its_own_address(organisation):
    admin = verified_client("beheerder")
    position = Position.objects.get(organisation=organisation, code="weth-wonen")
    data = {
        "title": position.title,
        "code": position.code,
        "category": position.category,
        "portfolio": position.portfolio,
        "unit": position.unit,
        "email": "wethouder.wonen@voorbeeldstad.example",
        "handles": "@wethouderwonen",
        "reports_to": "",
        "deputy": "",
    }
    assert admin.post(reverse("beheer:position", args=[position.pk]), data).status_code == 302
    position.refresh_from_db()
    assert position.email == "wethouder.wonen@voorbeeldstad.example"
    assert position.handles == "@wethouderwonen"


HEADER = "code,functie,categorie,naam,begindatum,roepnaam,voorletters,tussenvoegsel,achternaam,andere_namen,accounts"


def upload(rows, header=HEADER):
    text = "\r\n".join([header, *rows]) + "\r\n"
    admin = verified_client("beheerder")
    return admin.post(
        reverse("beheer:import"), {"file": SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")}
    )


def test_the_import_fills_the_name_fields_and_splits_lists_on_the_bar(organisation):
    response = upload(
        [
            "weth-klimaat,Wethouder Klimaat,wethouder,Noor de Vries,2025-01-01,Noor,N.M.,de,Vries,"
            "Noortje de Vries | N. de Vries,@noordevries|@wethklimaat",
        ]
    )
    assert response.status_code == 200, response.content.decode()
    noor = Person.objects.get(organisation=organisation, name="Noor de Vries")
    assert (noor.roepnaam, noor.voorletters, noor.tussenvoegsel, noor.achternaam) == ("Noor", "N.M.", "de", "Vries")
    assert noor.aliases == "Noortje de Vries\nN. de Vries"
    assert noor.handles == "@noordevries\n@wethklimaat"


def test_the_import_updates_an_existing_persons_names_and_leaves_out_columns_alone(organisation):
    person = Position.objects.get(organisation=organisation, code="weth-wonen").holders_on(today()).get()
    person.voornamen = "Hendrik"
    person.save()
    header = "code,functie,categorie,naam,begindatum,roepnaam"
    start = person.appointments.get(position__code="weth-wonen").start_date.isoformat()
    response = upload([f"weth-wonen,Wethouder Wonen,wethouder,{person.name},{start},Henk"], header=header)
    assert response.status_code == 200, response.content.decode()
    person.refresh_from_db()
    assert person.roepnaam == "Henk"
    assert person.voornamen == "Hendrik"  # no voornamen column: unchanged


def test_one_person_called_differently_on_two_rows_is_refused(organisation):
    # Bad input: Noor's roepnaam is Noor on one row and Nora on the other.
    header = "code,functie,categorie,naam,begindatum,roepnaam"
    response = upload(
        [
            "weth-klimaat,Wethouder Klimaat,wethouder,Noor de Vries,2025-01-01,Noor",
            "weth-energie,Wethouder Energie,wethouder,Noor de Vries,2025-01-01,Nora",
        ],
        header=header,
    )
    assert response.status_code == 400
    assert "roepnaam van Noor de Vries staat op regel 2 anders" in response.content.decode()
    assert not Person.objects.filter(name="Noor de Vries").exists()


def test_a_bad_office_address_in_the_import_is_refused(organisation):
    # Bad input: the office's e-mail address has no domain.
    response = upload(
        ["weth-klimaat,Wethouder Klimaat,wethouder,wethouder.klimaat@"], header="code,functie,categorie,functie_email"
    )
    assert response.status_code == 400
    assert "functie_email: „wethouder.klimaat@” is geen geldig e-mailadres" in response.content.decode()
    assert not Position.objects.filter(code="weth-klimaat").exists()
