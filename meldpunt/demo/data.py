"""Gemeente Voorbeeldstad: a fictional municipality for the demo and the tests.

Every name here is made up.
"""

import base64
import datetime
import hashlib

ORGANISATION = {
    "slug": "voorbeeldstad",
    "name": "Gemeente Voorbeeldstad",
    "integrity_office_name": "Integriteitsbureau",
    "integrity_office_email": "integriteit@voorbeeldstad.example",
    "support_text": (
        "Vertrouwenspersoon Mirjam Hoekstra: 0800 000 0000 (fictief), vertrouwenspersoon@voorbeeldstad.example. "
        "U kunt ook terecht bij het Huis voor Klokkenluiders of uw huisarts."
    ),
    "support_text_en": (
        "Confidential counsellor (vertrouwenspersoon) Mirjam Hoekstra: 0800 000 0000 (fictitious), "
        "vertrouwenspersoon@voorbeeldstad.example. You can also turn to the Dutch Whistleblowers Authority "
        "(Huis voor Klokkenluiders) or your GP."
    ),
    # A made-up coat of arms, served from meldpunt/static/.
    "logo": "meldpunt/demo/voorbeeldstad-logo.svg",
    "external_oversight": (
        "Commissaris van de Koning, Provinciehuis, Postbus 1, 1000 AA Provinciestad (fictief), "
        "integriteit.cdk@provinciestad.example"
    ),
}

TERM_START = datetime.date(2022, 6, 1)
HIRED = datetime.date(2019, 1, 1)

# code, title, category, portfolio, unit, reports_to, deputy
# Deputy chains end somewhere (no cycles): the burgemeester's deputy is the
# locoburgemeester (wethouder Wonen), whose deputy is wethouder Financiën, ...
POSITIONS = [
    ("burgemeester", "Burgemeester", "burgemeester", "Openbare orde, Integriteit", "", None, "weth-wonen"),
    ("weth-wonen", "Wethouder Wonen", "wethouder", "Wonen, Ruimtelijke ordening", "", None, "weth-financien"),
    ("weth-onderwijs", "Wethouder Onderwijs", "wethouder", "Onderwijs, Jeugd", "", None, "weth-zorg"),
    ("weth-financien", "Wethouder Financiën", "wethouder", "Financiën, Economie", "", None, "weth-onderwijs"),
    ("weth-zorg", "Wethouder Zorg", "wethouder", "Zorg, Welzijn", "", None, "weth-sport"),
    ("weth-sport", "Wethouder Sport", "wethouder", "Sport, Cultuur", "", None, None),
    ("raadslid-1", "Raadslid", "raadslid", "", "Gemeenteraad", None, None),
    ("raadslid-2", "Raadslid", "raadslid", "", "Gemeenteraad", None, None),
    ("raadslid-3", "Raadslid", "raadslid", "", "Gemeenteraad", None, None),
    ("raadslid-4", "Raadslid", "raadslid", "", "Gemeenteraad", None, None),
    ("raadslid-5", "Raadslid", "raadslid", "", "Gemeenteraad", None, None),
    ("griffier", "Griffier", "griffier", "", "Griffie", None, None),
    ("gemeentesecretaris", "Gemeentesecretaris", "gemeentesecretaris", "", "Directie", None, "dir-ruimte"),
    ("dir-ruimte", "Directeur Ruimte", "directeur", "", "Ruimte", "gemeentesecretaris", "dir-sociaal"),
    ("dir-sociaal", "Directeur Sociaal Domein", "directeur", "", "Sociaal Domein", "gemeentesecretaris", None),
    ("mgr-vergunningen", "Manager Vergunningen", "manager", "", "Vergunningen", "dir-ruimte", None),
    ("mgr-wijkzaken", "Manager Wijkzaken", "manager", "", "Wijkzaken", "dir-sociaal", None),
    ("mdw-vergunningen-1", "Medewerker Vergunningen", "medewerker", "", "Vergunningen", "mgr-vergunningen", None),
    ("mdw-vergunningen-2", "Medewerker Vergunningen", "medewerker", "", "Vergunningen", "mgr-vergunningen", None),
    ("mdw-wijkzaken-1", "Medewerker Wijkzaken", "medewerker", "", "Wijkzaken", "mgr-wijkzaken", None),
    ("integriteit-1", "Behandelaar Integriteit", "behandelaar", "", "Integriteitsbureau", "gemeentesecretaris", None),
    ("integriteit-2", "Behandelaar Integriteit", "behandelaar", "", "Integriteitsbureau", "gemeentesecretaris", None),
    ("vertrouwenspersoon", "Vertrouwenspersoon", "vertrouwenspersoon", "", "", "gemeentesecretaris", None),
    ("beheer", "Functioneel beheerder", "functioneel_beheerder", "", "Informatievoorziening", "dir-ruimte", None),
    ("auditor", "Auditor", "auditor", "", "Concerncontrol", "gemeentesecretaris", None),
]

# name, e-mail, position code, start, end
APPOINTMENTS = [
    ("Marieke van Dalen", "m.vandalen@voorbeeldstad.example", "burgemeester", datetime.date(2020, 3, 1), None),
    ("Gerard Wolters", "", "weth-wonen", datetime.date(2018, 6, 1), datetime.date(2022, 5, 31)),
    ("Henk Bosman", "h.bosman@voorbeeldstad.example", "weth-wonen", TERM_START, None),
    ("Fatima El Amrani", "f.elamrani@voorbeeldstad.example", "weth-onderwijs", TERM_START, None),
    ("Pieter de Groot", "p.degroot@voorbeeldstad.example", "weth-financien", TERM_START, None),
    ("Sanne Verhoeven", "s.verhoeven@voorbeeldstad.example", "weth-zorg", TERM_START, None),
    ("Johan Kuipers", "j.kuipers@voorbeeldstad.example", "weth-sport", TERM_START, None),
    ("Ruud Meijer", "", "raadslid-1", TERM_START, None),
    ("Esra Yilmaz", "", "raadslid-2", TERM_START, None),
    ("Kees Brouwer", "", "raadslid-3", TERM_START, None),
    ("Linda Smit", "", "raadslid-4", TERM_START, None),
    ("Thomas Visser", "", "raadslid-5", TERM_START, None),
    ("Anouk Dekker", "a.dekker@voorbeeldstad.example", "griffier", HIRED, None),
    ("Willem Jacobs", "w.jacobs@voorbeeldstad.example", "gemeentesecretaris", HIRED, None),
    ("Karin Mulder", "k.mulder@voorbeeldstad.example", "dir-ruimte", HIRED, None),
    ("Bas Hendriks", "b.hendriks@voorbeeldstad.example", "dir-sociaal", HIRED, None),
    ("Erik Peters", "e.peters@voorbeeldstad.example", "mgr-vergunningen", HIRED, None),
    ("Nadia Bakker", "n.bakker@voorbeeldstad.example", "mgr-wijkzaken", HIRED, None),
    ("Lotte Jansen", "l.jansen@voorbeeldstad.example", "mdw-vergunningen-1", HIRED, None),
    ("Mark de Wit", "m.dewit@voorbeeldstad.example", "mdw-vergunningen-2", HIRED, None),
    ("Yara Koster", "y.koster@voorbeeldstad.example", "mdw-wijkzaken-1", HIRED, None),
    ("Ingrid Vos", "i.vos@voorbeeldstad.example", "integriteit-1", HIRED, None),
    ("Daan Schouten", "d.schouten@voorbeeldstad.example", "integriteit-2", HIRED, None),
    ("Mirjam Hoekstra", "m.hoekstra@voorbeeldstad.example", "vertrouwenspersoon", HIRED, None),
    ("Rob Lammers", "r.lammers@voorbeeldstad.example", "beheer", HIRED, None),
    ("Femke Brandsma", "f.brandsma@voorbeeldstad.example", "auditor", HIRED, None),
]

DEMO_PASSWORD = "Voorbeeldstad-demo-2026"

# username, person name, what they can do in the demo
STAFF = [
    ("behandelaar1", "Ingrid Vos", "behandelaar integriteitsbureau"),
    ("behandelaar2", "Daan Schouten", "behandelaar integriteitsbureau"),
    ("burgemeester", "Marieke van Dalen", "burgemeester"),
    ("secretaris", "Willem Jacobs", "gemeentesecretaris"),
    ("wethouder", "Henk Bosman", "wethouder Wonen, locoburgemeester"),
    ("vertrouwenspersoon", "Mirjam Hoekstra", "vertrouwenspersoon"),
    ("beheerder", "Rob Lammers", "functioneel beheerder (register)"),
    ("griffier", "Anouk Dekker", "griffier (de cijfers; een zaak alleen bij een melding over een raadslid)"),
    ("raadslid", "Esra Yilmaz", "raadslid (ziet alleen de cijfers)"),
    ("auditor", "Femke Brandsma", "auditor (leest het auditlogboek, geen inhoud)"),
]


def demo_totp_key(username: str) -> str:
    """A fixed TOTP secret per demo account (hex, as django-otp stores it), so
    the demo's second factor can be set up once in an authenticator app.
    Demo data only: real accounts get random keys."""
    return hashlib.sha256(f"meldpunt-demo-totp:{username}".encode()).hexdigest()[:40]


def otpauth_uri(username: str) -> str:
    secret = base64.b32encode(bytes.fromhex(demo_totp_key(username))).decode().rstrip("=")
    return f"otpauth://totp/Meldpunt%20Voorbeeldstad:{username}?secret={secret}&issuer=Meldpunt"
