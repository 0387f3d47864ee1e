"""Access matrix tables: the staff case pages and the reporter's inbox."""

import datetime

from meldpunt.cases.models import Case
from meldpunt.notifications.models import Notification
from tests.access_matrix.answers import (
    ATTACHMENT_BYTES,
    DESCRIPTION,
    INBOX_LOGIN,
    LISTED,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    PAGE,
    UNLISTED,
    Answer,
    Probe,
    case_state,
    case_url,
    done,
    expect,
    message_count,
    opens,
    proposed_measure,
)

CASE_PAGES: dict[str, list[Probe]] = {
    # Staff case pages ------------------------------------------------------------------------------------------
    "behandelen:home": [
        # Whose work is not cases starts on their own page (cases.access.works_on_cases).
        Probe(
            lambda w: "/behandelen/",
            expect(
                staff=UNLISTED,
                handler=LISTED,
                burgemeester=LISTED,
                secretaris=LISTED,
                council=Answer(302, to="/cijfers/"),
                auditor=Answer(302, to="/audit/"),
                beheerder=Answer(302, to="/beheer/"),
            ),
        ),
    ],
    "behandelen:case": [
        Probe(lambda w: case_url(w.ref), expect(staff=NOT_FOUND, handler=OK, burgemeester=OK, secretaris=OK)),
        # Tried: a message to the reporter; only a handler may write.
        Probe(
            lambda w: case_url(w.ref),
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"body": "Kunt u vertellen wanneer dit begon?"},
            state=message_count,
        ),
    ],
    "behandelen:change_state": [
        Probe(
            lambda w: f"{case_url(w.ref)}status/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"step": "beoordelen"},
            state=case_state,
        ),
    ],
    # Timeline entries (note, hearing, conversation, aftercare offer, the accused leaving): handlers only.
    "behandelen:record_entry": [
        # Tried: an internal note.
        Probe(
            lambda w: f"{case_url(w.ref)}vastleggen/notitie/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"text": "Eerst de manager van de melder bellen."},
            state=lambda w, _c: w.case.events.count(),
        ),
        # Tried: recording that the accused wethouder resigned (ends his appointment, never the case).
        Probe(
            lambda w: f"{case_url(w.ref)}vastleggen/vertrek/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {
                "person": w.person("Henk Bosman").pk,
                "reason": "aftreden",
                "date": str(datetime.date.today()),
            },
            state=lambda w, _c: w.case.events.count(),
        ),
    ],
    # The owner: handlers only; "ik pak deze zaak op" is the same POST with one's own person.
    "behandelen:assign_owner": [
        Probe(
            lambda w: f"{case_url(w.ref)}eigenaar/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"owner": w.person("Ingrid Vos").pk},
            state=lambda w, _c: Case.objects.get(pk=w.case.pk).owner_id,
        ),
    ],
    # Mijn zaken: one's own cases and, for a handler, the team's; nobody else's.
    "behandelen:my_cases": [
        Probe(lambda w: "/behandelen/mijn-zaken/", expect(staff=UNLISTED, handler=LISTED)),
    ],
    "behandelen:add_subject": [
        # Tried: naming another person in the case (re-classification).
        Probe(
            lambda w: f"{case_url(w.ref)}persoon/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"person": w.person("Pieter de Groot").pk, "role": "betrokkene"},
            state=lambda w, _c: w.case.subjects.count(),
        ),
    ],
    # The person timeline: the case page's rule (access_case), and only cases the viewer may open.
    "behandelen:person_timeline": [
        Probe(
            lambda w: f"{case_url(w.ref)}over/{w.case.subjects.get().public_id}/",
            expect(staff=NOT_FOUND, handler=OK, burgemeester=OK, secretaris=OK),
        ),
    ],
    "behandelen:correct_link": [
        # Tried: linking the accused to someone else (a correction routes the case again).
        Probe(
            lambda w: f"{case_url(w.ref)}over/{w.case.subjects.get().public_id}/corrigeren/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"person": w.person("Pieter de Groot").pk},
            state=lambda w, _c: w.case.subjects.get().person_id,
        ),
    ],
    "behandelen:decide_proposal": [
        # Tried: confirming a proposed link (a person the narrative mentions).
        Probe(
            lambda w: f"{case_url(w.ref)}voorstel/{w.extra['proposal'].pk}/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"besluit": "bevestigen"},
            state=lambda w, _c: w.case.subjects.count(),
        ),
    ],
    # The measures register (meldpunt/maatregelen/): handlers, and the burgemeester for a case about a
    # wethouder (this one); the reporter answers only in their own inbox.
    "maatregelen:record": [
        Probe(
            lambda w: f"{case_url(w.ref)}maatregelen/",
            expect(staff=NOT_FOUND, handler=done(), burgemeester=done()),
            method="POST",
            data=lambda w: {
                "kind": "waarschuwing",
                "burdens": "beschuldigde",
                "decided_on": str(datetime.date.today()),
                "decision_maker_other": "Het college",
                "reason": "Ongepaste berichten.",
                "state": "genomen",
            },
            state=lambda w, _c: w.case.measures.count(),
        ),
    ],
    "maatregelen:take": [
        Probe(
            lambda w: f"{case_url(w.ref)}maatregelen/{proposed_measure(w, 'beschuldigde').public_id}/nemen/",
            expect(staff=NOT_FOUND, handler=done(), burgemeester=done()),
            method="POST",
            state=lambda w, _c: list(w.case.measures.values_list("state", flat=True)),
        ),
    ],
    "maatregelen:withdraw": [
        Probe(
            lambda w: f"{case_url(w.ref)}maatregelen/{proposed_measure(w, 'beschuldigde').public_id}/intrekken/",
            expect(staff=NOT_FOUND, handler=done(), burgemeester=done()),
            method="POST",
            state=lambda w, _c: list(w.case.measures.values_list("state", flat=True)),
        ),
    ],
    # The reporter of this case is anonymous: consent from a conversation is refused (400) to whoever may decide.
    "maatregelen:consent_conversation": [
        Probe(
            lambda w: f"{case_url(w.ref)}maatregelen/{proposed_measure(w, 'melder').public_id}/instemming/",
            expect(staff=NOT_FOUND, handler=Answer(400), burgemeester=Answer(400)),
            method="POST",
            data=lambda w: {"answer": "akkoord", "date": str(datetime.date.today()), "held_by": "Ingrid Vos"},
            state=lambda w, _c: list(w.case.measures.values_list("state", "consent")),
        ),
    ],
    "maatregelen:answer": [
        Probe(
            lambda w: f"/voorbeeldstad/postvak/maatregel/{proposed_measure(w, 'melder').public_id}/",
            expect(reporter=done(), staff=INBOX_LOGIN, anonymous=INBOX_LOGIN),
            method="POST",
            data=lambda w: {"answer": "akkoord"},
            state=lambda w, _c: list(w.case.measures.values_list("state", "consent")),
        ),
    ],
    # The case log uses the handling rule (access_case_for_handling): handlers only.
    "behandelen:case_log": [
        Probe(lambda w: f"{case_url(w.ref)}logboek/", expect(staff=NOT_FOUND, handler=OK)),
    ],
    "behandelen:attachment": [
        Probe(
            lambda w: f"{case_url(w.ref)}bijlage/{w.attachment_id}/",
            expect(staff=NOT_FOUND, handler=OK, burgemeester=OK, secretaris=OK),
            marker=lambda w: ATTACHMENT_BYTES,
        ),
        # An attachment id that exists nowhere is "not found" for everyone, also for the handler.
        Probe(
            lambda w: f"{case_url(w.ref)}bijlage/00000000-0000-0000-0000-000000000000/",
            expect(staff=NOT_FOUND),
        ),
    ],
    # Registering a report on someone's behalf: handlers, each for their own organisation.
    "behandelen:register": [
        Probe(lambda w: "/behandelen/registreren/", expect(staff=NOT_FOUND, handler=PAGE, other_org=PAGE)),
        Probe(
            lambda w: "/behandelen/registreren/",
            expect(staff=NOT_FOUND, handler=done(200), other_org=PAGE),
            method="POST",
            data=lambda w: {
                "kind": "melding",
                "channel": "telefoon",
                "relation": "inwoner",
                "anonymous": "ja",
                "description": "Telefonisch gemeld: opmerkingen over uiterlijk.",
                "told_before": "nee",
            },
            state=lambda w, _c: Case.objects.filter(organisation=w.case.organisation).count(),
        ),
    ],
    # Notifications: each staff member sees their own, for cases they may open.
    "behandelen:notifications": [
        Probe(
            lambda w: "/behandelen/notificaties/",
            expect(staff=UNLISTED, handler=LISTED, burgemeester=LISTED, secretaris=LISTED),
        ),
        # Tried: marking the burgemeester's notification read; only she can.
        Probe(
            lambda w: "/behandelen/notificaties/",
            expect(staff=Answer(302), burgemeester=done()),
            method="POST",
            data=lambda w: {"notification": w.notification.pk},
            state=lambda w, _c: Notification.objects.get(pk=w.notification.pk).read_at,
        ),
    ],
    # The reporter's inbox: only the session opened with the receipt code.
    "melden:inbox": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/melding/",
            expect(reporter=OK, anonymous=INBOX_LOGIN, staff=INBOX_LOGIN),
            marker=lambda w: DESCRIPTION,
        ),
        # Without the reporter's session the message is kept on the code page, not sent.
        Probe(
            lambda w: "/voorbeeldstad/postvak/melding/",
            expect(reporter=done(), anonymous=PAGE, staff=PAGE),
            method="POST",
            data=lambda w: {"body": "Ik heb nog een aanvulling."},
            state=message_count,
        ),
    ],
    "melden:inbox_attachment": [
        Probe(
            lambda w: f"/voorbeeldstad/postvak/bijlage/{w.attachment_id}/",
            expect(reporter=OK, anonymous=NOT_FOUND, staff=NOT_FOUND),
            marker=lambda w: ATTACHMENT_BYTES,
        ),
    ],
    "melden:withdraw": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/intrekken/",
            expect(reporter=PAGE, anonymous=INBOX_LOGIN, staff=INBOX_LOGIN),
        ),
        Probe(
            lambda w: "/voorbeeldstad/postvak/intrekken/",
            expect(reporter=done(), anonymous=INBOX_LOGIN, staff=INBOX_LOGIN),
            method="POST",
            state=case_state,
        ),
    ],
    "melden:inbox_logout": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/sluiten/",
            expect(reporter=NOT_ALLOWED, anonymous=NOT_ALLOWED, staff=NOT_ALLOWED),
        ),
        Probe(
            lambda w: "/voorbeeldstad/postvak/sluiten/",
            expect(reporter=done(), anonymous=Answer(302), staff=Answer(302)),
            method="POST",
            state=opens("/voorbeeldstad/postvak/melding/"),
        ),
    ],
    # The proof of filing's downloads: only in the reporter's inbox session (meldpunt/bewijs/).
    "bewijs:pdf": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/bewijs/",
            expect(reporter=Answer(200), anonymous=INBOX_LOGIN, staff=INBOX_LOGIN),
            marker=lambda w: b"%PDF",
        ),
    ],
    "bewijs:text": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/bewijs/tekst/",
            expect(reporter=OK, anonymous=INBOX_LOGIN, staff=INBOX_LOGIN),
            marker=lambda w: f"zaak: {w.ref}",
        ),
    ],
    "bewijs:document": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/bewijs/melding/",
            expect(reporter=OK, anonymous=INBOX_LOGIN, staff=INBOX_LOGIN),
            marker=lambda w: DESCRIPTION,
        ),
    ],
}
