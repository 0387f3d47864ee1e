"""Access matrix tables: accounts, the registry and protocol pages, the API,
minutes, measures, aftercare, the audit trail and the figures."""

import datetime

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from meldpunt.api.models import ApiToken
from meldpunt.audit.models import AuditCheckpoint
from meldpunt.cases.models import Case
from meldpunt.nazorg.models import SupportOption
from meldpunt.nazorg.retaliation import check_months
from meldpunt.organisations.models import Organisation
from meldpunt.registry.models import Appointment, Conflict, Person, Position
from tests.access_matrix.answers import (
    DESCRIPTION,
    FORBIDDEN,
    GONE,
    INBOX_LOGIN,
    LOGIN,
    NOT_FOUND,
    OK,
    OWN_ONLY,
    PAGE,
    REGISTRY,
    UNLISTED,
    VOORBEELDSTAD,
    Answer,
    Probe,
    burgemeester_token,
    case_url,
    done,
    expect,
    follow_up_of,
    opens,
    support_option,
    voorbeeldstad_people,
)
from tests.test_protocol_editor import form_data as protocol_form_data

OTHER_PAGES: dict[str, list[Probe]] = {
    # Accounts -------------------------------------------------------------------------------------------------
    "accounts:logout": [
        Probe(
            lambda w: "/account/uitloggen/",
            expect(reporter=Answer(302), anonymous=Answer(302), staff=done()),
            method="POST",
            state=opens("/account/"),  # every staff member's own page
        ),
    ],
    # A set-up link is its own credential; an unknown one opens nothing, for anyone.
    "accounts:setup": [
        Probe(lambda w: "/account/instellen/geen-echte-link/", expect(reporter=GONE, anonymous=GONE, staff=GONE)),
        Probe(
            lambda w: "/account/instellen/geen-echte-link/",
            expect(reporter=GONE, anonymous=GONE, staff=GONE),
            method="POST",
            data=lambda w: {"code": "123456", "password1": "x" * 20, "password2": "x" * 20},
            state=lambda w, _c: list(TOTPDevice.objects.values_list("pk", "confirmed")),
        ),
    ],
    "accounts:recovery_codes": [Probe(lambda w: "/account/herstelcodes/", expect(staff=PAGE))],
    "accounts:new_recovery_codes": [
        Probe(
            lambda w: "/account/herstelcodes/nieuw/",
            expect(staff=done()),
            method="POST",
            state=lambda w, _c: sorted(StaticToken.objects.values_list("token", flat=True)),
        ),
    ],
    "accounts:account": [Probe(lambda w: "/account/", expect(staff=PAGE))],
    # Personal API tokens: everyone makes their own; revoking another's token is "not found".
    "accounts:api_token_create": [
        Probe(
            lambda w: "/account/api-tokens/nieuw/",
            expect(staff=done(201)),
            method="POST",
            data=lambda w: {"name": "matrix", "days": "30"},
            state=lambda w, _c: ApiToken.objects.count(),
        ),
    ],
    "accounts:api_token_revoke": [
        Probe(
            lambda w: f"/account/api-tokens/{burgemeester_token(w).pk}/intrekken/",
            expect(staff=NOT_FOUND, burgemeester=done()),
            method="POST",
            state=lambda w, _c: burgemeester_token(w).revoked_at is not None,
        ),
    ],
    # Without a password step just before, there is no passkey to confirm.
    "accounts:passkey_confirm": [
        Probe(lambda w: "/account/inloggen/passkey/bevestigen/", expect(reporter=LOGIN, anonymous=LOGIN, staff=LOGIN)),
    ],
    # Tried: removing the burgemeester's passkey; another's passkey does not exist for you.
    "accounts:passkey_remove": [
        Probe(
            lambda w: f"/account/passkeys/{w.passkey.pk}/verwijderen/",
            expect(staff=NOT_FOUND, burgemeester=done()),
            method="POST",
            state=lambda w, _c: WebAuthnCredential.objects.filter(pk=w.passkey.pk).exists(),
        ),
    ],
    # The library's JSON views: enrolling needs a verified staff session...
    "accounts:passkey_register_begin": [
        Probe(
            lambda w: "/account/passkeys/registreren/begin/",
            expect(reporter=FORBIDDEN, anonymous=FORBIDDEN, staff=PAGE),
            method="POST",
        ),
    ],
    "accounts:passkey_register_complete": [
        # Tried: a made-up answer without a begun registration; nothing is stored for anyone.
        Probe(
            lambda w: "/account/passkeys/registreren/klaar/",
            expect(reporter=FORBIDDEN, anonymous=FORBIDDEN, staff=Answer(400)),
            method="POST",
            data=lambda w: {"id": "bm90LWEtY3JlZGVudGlhbA", "type": "public-key", "response": {}},
            state=lambda w, _c: WebAuthnCredential.objects.count(),
        ),
    ],
    # ...and logging in with one needs the password step first.
    "accounts:passkey_login_begin": [
        Probe(
            lambda w: "/account/passkeys/inloggen/begin/",
            expect(reporter=FORBIDDEN, anonymous=FORBIDDEN, staff=FORBIDDEN),
            method="POST",
        ),
    ],
    "accounts:passkey_login_complete": [
        Probe(
            lambda w: "/account/passkeys/inloggen/klaar/",
            expect(reporter=FORBIDDEN, anonymous=FORBIDDEN, staff=FORBIDDEN),
            method="POST",
            data=lambda w: {"id": "bm90LWEtY3JlZGVudGlhbA", "type": "public-key", "response": {}},
            state=opens("/behandelen/"),
        ),
    ],
    # The installation administrator's page: no organisation's staff.
    "organisations:list": [
        Probe(lambda w: "/installatie/organisaties/", expect(staff=FORBIDDEN)),
        Probe(
            lambda w: "/installatie/organisaties/",
            expect(staff=FORBIDDEN),
            method="POST",
            data=lambda w: {
                "name": "Gemeente Nieuwstad",
                "slug": "nieuwstad",
                "integrity_office_name": "Integriteitsbureau",
                "admin_name": "Nina Nieuw",
                "admin_username": "nina.nieuw",
            },
            state=lambda w, _c: Organisation.objects.count(),
        ),
    ],
    # The functional admin's registry pages: no case content. Staff without the
    # role get 403 (the pages are not secret); another organisation's objects are
    # "not found", and the other organisation's admin sees only their own.
    "beheer:home": [Probe(lambda w: "/beheer/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY)],
    "beheer:person_new": [
        Probe(
            lambda w: "/beheer/personen/nieuw/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY
        ),
        Probe(
            lambda w: "/beheer/personen/nieuw/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(302)),
            method="POST",
            data=lambda w: {"name": "Nieuwe Medewerker", "email": ""},
            state=voorbeeldstad_people,
        ),
    ],
    "beheer:person": [
        Probe(
            lambda w: f"/beheer/personen/{w.person('Henk Bosman').pk}/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=NOT_FOUND),
            **REGISTRY,
        ),
        Probe(
            lambda w: f"/beheer/personen/{w.person('Henk Bosman').pk}/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=NOT_FOUND),
            method="POST",
            data=lambda w: {"name": "Henk Bosman", "email": "henk.nieuw@voorbeeldstad.example"},
            state=lambda w, _c: Person.objects.get(pk=w.person("Henk Bosman").pk).email,
        ),
    ],
    "beheer:person_login": [
        Probe(
            lambda w: f"/beheer/personen/{w.person('Daan Schouten').pk}/login/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=NOT_FOUND),
            **REGISTRY,
        ),
        # Tried: deactivating handler Daan Schouten's login.
        Probe(
            lambda w: f"/beheer/personen/{w.person('Daan Schouten').pk}/login/",
            expect(staff=FORBIDDEN, beheerder=done(200), other_org=NOT_FOUND),
            method="POST",
            data=lambda w: {"action": "deactivate"},
            state=lambda w, _c: get_user_model().objects.get(username="behandelaar2").is_active,
        ),
    ],
    "beheer:position_new": [
        Probe(
            lambda w: "/beheer/functies/nieuw/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY
        ),
        Probe(
            lambda w: "/beheer/functies/nieuw/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(302)),
            method="POST",
            data=lambda w: {"title": "Wethouder Klimaat", "code": "weth-klimaat", "category": "wethouder"},
            state=lambda w, _c: Position.objects.filter(organisation=w.case.organisation).count(),
        ),
    ],
    "beheer:position": [
        Probe(
            lambda w: f"/beheer/functies/{w.position('weth-sport').pk}/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=NOT_FOUND),
            **REGISTRY,
        ),
        Probe(
            lambda w: f"/beheer/functies/{w.position('weth-sport').pk}/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=NOT_FOUND),
            method="POST",
            data=lambda w: {
                "title": "Wethouder Sport",
                "code": "weth-sport",
                "category": "wethouder",
                "portfolio": "Sport",
            },
            state=lambda w, _c: Position.objects.get(pk=w.position("weth-sport").pk).portfolio,
        ),
    ],
    "beheer:appointment_add": [
        Probe(
            lambda w: f"/beheer/functies/{w.position('raadslid-1').pk}/benoemen/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=NOT_FOUND),
            **REGISTRY,
        ),
        Probe(
            lambda w: f"/beheer/functies/{w.position('raadslid-1').pk}/benoemen/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=NOT_FOUND),
            method="POST",
            data=lambda w: {
                "person": w.person("Gerard Wolters").pk,
                "start_date": "2010-01-01",
                "end_date": "2012-12-31",
            },
            state=lambda w, _c: Appointment.objects.filter(position=w.position("raadslid-1")).count(),
        ),
    ],
    "beheer:appointment_end": [
        Probe(
            lambda w: f"/beheer/benoemingen/{w.extra['appointment'].pk}/beeindigen/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=NOT_FOUND),
            **REGISTRY,
        ),
        Probe(
            lambda w: f"/beheer/benoemingen/{w.extra['appointment'].pk}/beeindigen/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=NOT_FOUND),
            method="POST",
            data=lambda w: {"end_date": datetime.date.today().isoformat()},
            state=lambda w, _c: Appointment.objects.get(pk=w.extra["appointment"].pk).end_date,
        ),
    ],
    "beheer:import": [
        Probe(lambda w: "/beheer/import/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY),
        # Tried: importing a registry with a new wethouder; the other organisation's admin imports into their own.
        Probe(
            lambda w: "/beheer/import/",
            expect(staff=FORBIDDEN, beheerder=done(200), other_org=PAGE),
            method="POST",
            data=lambda w: {"file": w.extra["csv"]()},
            state=voorbeeldstad_people,
        ),
    ],
    "beheer:import_example": [
        Probe(
            lambda w: "/beheer/import/voorbeeld-register.csv", expect(staff=FORBIDDEN, beheerder=PAGE, other_org=PAGE)
        )
    ],
    "beheer:conflicts": [
        Probe(
            lambda w: "/beheer/conflicten/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=UNLISTED),
            marker=lambda w: "Kees Brouwer",
        ),
    ],
    "beheer:conflict_add": [
        Probe(
            lambda w: "/beheer/conflicten/nieuw/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY
        ),
        # Tried: a conflict between two Voorbeeldstad people; for the other organisation they are not in the list.
        Probe(
            lambda w: "/beheer/conflicten/nieuw/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(400)),
            method="POST",
            data=lambda w: {
                "person": w.person("Linda Smit").pk,
                "other": w.person("Thomas Visser").pk,
                "reason": "partners",
            },
            state=lambda w, _c: Conflict.objects.filter(person__organisation=w.case.organisation).count(),
        ),
    ],
    "beheer:deadlines": [
        Probe(lambda w: "/beheer/termijnen/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY),
        # Tried: a reminder 5 days before a deadline instead of 2.
        Probe(
            lambda w: "/beheer/termijnen/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(302)),
            method="POST",
            data=lambda w: {
                "acknowledgement_days": 7,
                "feedback_months": 3,
                "reminder_days": 5,
                "meeting_days": 10,
                "count_working_days": "on",
            },
            state=lambda w, _c: type(w.case.organisation).objects.get(pk=w.case.organisation_id).reminder_days,
        ),
    ],
    "beheer:patterns": [
        Probe(lambda w: "/beheer/patroon/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY),
        # Tried: a pattern from 3 different reporters instead of 2.
        Probe(
            lambda w: "/beheer/patroon/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(302)),
            method="POST",
            data=lambda w: {"pattern_threshold": 3},
            state=lambda w, _c: type(w.case.organisation).objects.get(pk=w.case.organisation_id).pattern_threshold,
        ),
    ],
    # Aftercare (meldpunt/nazorg/): the admin's support options and months; the handler's offer at closure;
    # the reporter's answers, only in their own inbox.
    "nazorg:settings": [
        Probe(lambda w: "/beheer/nazorg/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY),
        # Tried: asking about disadvantage 6 months after closure instead of 3.
        Probe(
            lambda w: "/beheer/nazorg/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(302)),
            method="POST",
            data=lambda w: {"retaliation_check_months": 6},
            state=lambda w, _c: check_months(w.case.organisation),
        ),
    ],
    "nazorg:option_new": [
        Probe(
            lambda w: "/beheer/nazorg/steun/nieuw/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY),
            **REGISTRY,
        ),
        Probe(
            lambda w: "/beheer/nazorg/steun/nieuw/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(302)),
            method="POST",
            data=lambda w: {"kind": "anders", "name": "Buddy", "contact": "Via het integriteitsbureau.", "order": 40},
            state=lambda w, _c: SupportOption.objects.filter(organisation=w.case.organisation).count(),
        ),
    ],
    "nazorg:option": [
        Probe(
            lambda w: f"/beheer/nazorg/steun/{support_option(w).pk}/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=NOT_FOUND),
            **REGISTRY,
        ),
        Probe(
            lambda w: f"/beheer/nazorg/steun/{support_option(w).pk}/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=NOT_FOUND),
            method="POST",
            data=lambda w: {"kind": "vertrouwenspersoon", "name": "Vertrouwenspersoon", "contact": "K1", "order": 1},
            state=lambda w, _c: SupportOption.objects.get(pk=support_option(w).pk).contact,
        ),
    ],
    "nazorg:offer_again": [
        Probe(
            lambda w: f"{case_url(w.ref)}nazorg/aanbieden/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            state=lambda w, _c: w.case.support_offers.count(),
        ),
    ],
    "nazorg:answer_support": [
        Probe(
            lambda w: f"/voorbeeldstad/postvak/steun/{w.case.support_offers.get().public_id}/",
            expect(reporter=done(), staff=INBOX_LOGIN, anonymous=INBOX_LOGIN),
            method="POST",
            data=lambda w: {"geen": "ja"},
            state=lambda w, _c: w.case.support_answers.count(),
        ),
    ],
    "nazorg:disadvantage": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/benadeling/",
            expect(reporter=done(), staff=INBOX_LOGIN, anonymous=INBOX_LOGIN),
            method="POST",
            data=lambda w: {"zaak": str(w.case.public_id), "tekst": "Sinds mijn melding word ik buitengesloten."},
            state=lambda w, _c: Case.objects.filter(follows_from=w.case).count(),
        ),
    ],
    "nazorg:open_linked": [
        Probe(
            lambda w: f"/voorbeeldstad/postvak/gekoppeld/{follow_up_of(w).public_id}/",
            expect(reporter=done(), staff=INBOX_LOGIN, anonymous=INBOX_LOGIN),
            method="POST",
            state=lambda w, client: client.session.get("melder_case"),
        ),
    ],
    "beheer:conflict_remove": [
        Probe(
            lambda w: f"/beheer/conflicten/{w.conflict.pk}/verwijderen/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=NOT_FOUND),
            **REGISTRY,
        ),
        Probe(
            lambda w: f"/beheer/conflicten/{w.conflict.pk}/verwijderen/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=NOT_FOUND),
            method="POST",
            state=lambda w, _c: Conflict.objects.filter(pk=w.conflict.pk).exists(),
        ),
    ],
    "beheer:protocol": [
        Probe(lambda w: "/beheer/protocol/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY)
    ],
    "beheer:protocol_edit": [
        Probe(
            lambda w: "/beheer/protocol/wijzigen/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY),
            **REGISTRY,
        ),
        # Tried: Voorbeeldstad's protocol form with a note; the other organisation's admin
        # posting it changes (at most) their own protocol.
        Probe(
            lambda w: "/beheer/protocol/wijzigen/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(302)),
            method="POST",
            data=lambda w: protocol_form_data(w.case.organisation, note="Nieuwe termijn"),
            state=lambda w, _c: w.case.organisation.protocol_versions.count(),
        ),
    ],
    "beheer:protocol_version": [
        Probe(
            lambda w: "/beheer/protocol/versie/1/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY),
            **REGISTRY,
        ),
    ],
    "beheer:protocol_preview": [
        # Tried: "who would be told about a report on Henk Bosman"; for the other organisation he does not exist.
        Probe(
            lambda w: f"/beheer/protocol/wat-als/?persoon={w.person('Henk Bosman').pk}",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=Answer(400, shows=False)),
            marker=lambda w: "Henk Bosman",
        ),
    ],
}

# The auditor's pages (meldpunt/audit/views.py): the auditor only, never any report content (the
# trail shows the case numbers, not the description); everyone else 403, as on the registry pages.
OTHER_PAGES |= {
    "audit:trail": [
        Probe(lambda w: "/audit/", expect(staff=FORBIDDEN, auditor=OK)),
        Probe(lambda w: "/audit/", expect(staff=FORBIDDEN, auditor=UNLISTED), marker=lambda w: DESCRIPTION),
    ],
    "audit:trail_csv": [
        Probe(lambda w: "/audit/auditlogboek.csv", expect(staff=FORBIDDEN, auditor=OK)),
        Probe(
            lambda w: "/audit/auditlogboek.csv", expect(staff=FORBIDDEN, auditor=UNLISTED), marker=lambda w: DESCRIPTION
        ),
    ],
    "audit:checkpoints": [Probe(lambda w: "/audit/controlepunten/", expect(staff=FORBIDDEN, auditor=PAGE))],
    "audit:checkpoint_make": [
        Probe(
            lambda w: "/audit/controlepunten/nieuw/",
            expect(staff=FORBIDDEN, auditor=done()),
            method="POST",
            state=lambda w, _c: AuditCheckpoint.objects.count(),
        ),
    ],
    "audit:checkpoint_file": [
        Probe(
            lambda w: f"/audit/controlepunten/{w.extra['checkpoint'].pk}/bestand/",
            expect(staff=FORBIDDEN, auditor=PAGE),
        ),
    ],
}


def minutes_in(w):
    """Minutes of a phone call in the world's case (made on first use within the probe's savepoint)."""
    from django.utils import timezone

    from meldpunt.verslagen import actions as minutes_actions
    from meldpunt.verslagen.models import Minutes

    found = Minutes.objects.filter(case=w.case).first()
    if found is None:
        given = minutes_actions.MinutesInput(
            occasion="melding",
            channel="telefoon",
            held_on=timezone.localdate(),
            text="Verslag van het telefoongesprek.",
        )
        found = minutes_actions.record_minutes(w.case, given, staff_user=None)
    return found


def minutes_versions(w, _client):
    from meldpunt.verslagen.models import MinutesVersion

    return list(MinutesVersion.objects.filter(minutes__case=w.case).values_list("number", "approved_at"))


# Minutes and meeting requests (meldpunt/verslagen/): handlers write and record approval given in person (the
# reporter of this case is anonymous, so that is refused, 400); the reporter corrects, approves and asks for a
# meeting only in their own inbox.
OTHER_PAGES |= {
    "verslagen:record_meeting": [
        Probe(
            lambda w: f"{case_url(w.ref)}verslagen/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {
                "gesprek-held_on": str(datetime.date.today()),
                "gesprek-channel": "persoonlijk",
                "gesprek-text": "Gesprek op het stadhuis.",
            },
            state=lambda w, _c: w.case.minutes.count(),
        ),
    ],
    "verslagen:write_version": [
        Probe(
            lambda w: f"{case_url(w.ref)}verslagen/{minutes_in(w).public_id}/versie/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"text": "Verslag van het telefoongesprek, verbeterd."},
            state=minutes_versions,
        ),
    ],
    "verslagen:approve_in_person": [
        Probe(
            lambda w: f"{case_url(w.ref)}verslagen/{minutes_in(w).public_id}/goedkeuring/",
            expect(staff=NOT_FOUND, handler=Answer(400)),
            method="POST",
            data=lambda w: {
                "version": minutes_in(w).versions.get().public_id,
                "day": str(datetime.date.today()),
                "given_to": "Ingrid Vos",
            },
            state=minutes_versions,
        ),
    ],
    "verslagen:propose_correction": [
        Probe(
            lambda w: f"/voorbeeldstad/postvak/verslag/{minutes_in(w).public_id}/correctie/",
            expect(reporter=done(), staff=INBOX_LOGIN, anonymous=INBOX_LOGIN),
            method="POST",
            data=lambda w: {"version": minutes_in(w).versions.get().public_id, "text": "Het was dinsdag."},
            state=lambda w, _c: minutes_in(w).corrections.count(),
        ),
    ],
    "verslagen:approve": [
        Probe(
            lambda w: f"/voorbeeldstad/postvak/verslag/{minutes_in(w).public_id}/goedkeuren/",
            expect(reporter=done(), staff=INBOX_LOGIN, anonymous=INBOX_LOGIN),
            method="POST",
            data=lambda w: {"version": minutes_in(w).versions.get().public_id},
            state=minutes_versions,
        ),
    ],
    "verslagen:request_meeting": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/gesprek/",
            expect(reporter=done(), staff=INBOX_LOGIN, anonymous=INBOX_LOGIN),
            method="POST",
            data=lambda w: {"note": "Liever 's ochtends."},
            state=lambda w, _c: w.case.meeting_requests.count(),
        ),
    ],
}

# The council figures (meldpunt/cijfers/): handlers, the burgemeester, the gemeentesecretaris and the council
# (the griffier) see their own organisation's counts, never a case; everyone else "not found".
FIGURES_PAGE = dict(handler=OK, burgemeester=OK, secretaris=OK, council=OK, other_org=OWN_ONLY)
FIGURES_PDF = dict(handler=PAGE, burgemeester=PAGE, secretaris=PAGE, council=PAGE, other_org=PAGE)
OTHER_PAGES |= {
    "cijfers:page": [
        Probe(lambda w: "/cijfers/", expect(staff=NOT_FOUND, **FIGURES_PAGE), marker=lambda w: VOORBEELDSTAD),
        # No case number on it, for anyone.
        Probe(lambda w: "/cijfers/", expect(staff=NOT_FOUND, **{role: UNLISTED for role in FIGURES_PAGE})),
    ],
    "cijfers:csv": [
        Probe(lambda w: "/cijfers/cijfers.csv", expect(staff=NOT_FOUND, **FIGURES_PAGE), marker=lambda w: VOORBEELDSTAD)
    ],
    "cijfers:pdf": [Probe(lambda w: "/cijfers/cijfers.pdf", expect(staff=NOT_FOUND, **FIGURES_PDF))],
    "cijfers:yearly": [
        Probe(
            lambda w: f"/cijfers/jaarverslag/{datetime.date.today().year}.pdf", expect(staff=NOT_FOUND, **FIGURES_PDF)
        )
    ],
    # Tried: assessing the behaviour as bullying; only a handler may.
    "behandelen:assess_behaviour": [
        Probe(
            lambda w: f"{case_url(w.ref)}soort-gedrag/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"behaviour": "pesten"},
            state=lambda w, _c: Case.objects.get(pk=w.case.pk).behaviour_assessed,
        ),
    ],
}
