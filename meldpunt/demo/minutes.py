"""An oral report in the demo (``manage.py load_demo``): a citizen phoned the
integrity office about wethouder Sanne Verhoeven; the handler registered the
call with minutes, which wait for the reporter's approval in the inbox (the
case page shows version 1, "wacht op goedkeuring"). Made by the real actions
(``cases.actions.submit_report``, ``verslagen.actions.record_minutes``);
every name and text is made up."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from meldpunt.cases import actions as case_actions
from meldpunt.cases.models import Channel, Relation, SubjectLink, Wish
from meldpunt.registry.models import Person
from meldpunt.verslagen import actions
from meldpunt.verslagen.models import Minutes

DESCRIPTION = (
    "De melder belde het integriteitsbureau. Bij een inloopspreekuur over de wijkzorg maakte de wethouder "
    "opmerkingen over haar uiterlijk en vroeg hij daarna via een berichtenapp om een afspraak buiten het stadhuis."
)
MINUTES = (
    "Telefoongesprek met de melder, 20 minuten.\n\n"
    "De melder bezocht in het voorjaar twee keer het inloopspreekuur over de wijkzorg. Bij het tweede bezoek zei de "
    "wethouder dat zij 'er te leuk uitzag voor zulke saaie vragen'. Een week later kreeg zij een bericht op haar "
    "telefoon met de vraag of zij 'een keer buiten het stadhuis wilde doorpraten'. Zij heeft niet geantwoord.\n\n"
    "De melder wil dat het wordt vastgelegd en wil weten wat er met haar melding gebeurt. Zij heeft de berichten "
    "nog en kan ze sturen via het postvak."
)


@transaction.atomic
def load_demo_minutes(organisation) -> str:
    """Make the demo phone report with its minutes unless the organisation has
    minutes already. Returns a line to print (with the receipt code that opens
    the reporter's inbox), or "" when nothing was made."""
    if Minutes.objects.filter(case__organisation=organisation).exists():
        return ""
    wethouder = Person.objects.filter(organisation=organisation, name="Sanne Verhoeven").first()
    if wethouder is None:
        return ""
    handler = get_user_model().objects.get(username="behandelaar1")
    report = case_actions.ReportInput(
        relation=Relation.INWONER,
        anonymous=True,
        description=DESCRIPTION,
        wishes=[Wish.VASTLEGGEN, Wish.GEHOORD],
        subjects=[case_actions.SubjectInput(role=SubjectLink.Role.BESCHULDIGDE, person=wethouder)],
    )
    case, code = case_actions.submit_report(organisation, report, channel=Channel.TELEFOON, registered_by=handler)
    given = actions.MinutesInput(
        occasion=Minutes.Occasion.REPORT,
        channel=Minutes.Channel.TELEFOON,
        held_on=timezone.localdate(),
        text=MINUTES,
    )
    actions.record_minutes(case, given, staff_user=handler)
    return (
        f"Demo minutes: phone report {case.reference}, its minutes wait for the reporter's approval "
        f"(inbox code {code})."
    )
