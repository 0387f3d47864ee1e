"""The auditor's view of the audit trail: filters, pages and the CSV file.

What it shows of an event: when, who (the staff member's name), the case
number, the action code and its plain-word phrase (``audit/phrases.py``).
Events hold no report content, and neither does anything here: no detail
values are shown beyond what the phrase says.
"""

import csv
import datetime
import io

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldpunt.accounts.models import StaffAccount
from meldpunt.audit.log import chain_for
from meldpunt.audit.models import AuditEvent
from meldpunt.audit.phrases import actor_name, phrase, staff_names
from meldpunt.cases.worklist import CASE_NUMBER
from meldpunt.nlds import NLDesignFormMixin

PAGE_SIZE = 50

# Groups of actions for the filter: label and the condition on ``action``.
GROUPS = {
    "inzage": (_("Inzage van zaken"), Q(action="case.read")),
    "zaak": (
        _("Wijzigingen in zaken en berichten"),
        (Q(action__startswith="case.") & ~Q(action="case.read") & ~Q(action="case.routed"))
        | Q(action__startswith="message."),
    ),
    "verdeling": (
        _("Verdeling, notificaties en escalaties"),
        Q(action="case.routed") | Q(action__startswith="notification.") | Q(action__startswith="escalation."),
    ),
    "inloggen": (_("Inloggen en mislukte inlogpogingen"), Q(action__in=["account.login", "account.login_failed"])),
    "accounts": (
        _("Accounts en API-tokens"),
        (Q(action__startswith="account.") & ~Q(action__in=["account.login", "account.login_failed"]))
        | Q(action__startswith="api."),
    ),
    "register": (
        _("Register, protocol en instellingen"),
        Q(action__startswith="registry.") | Q(action__startswith="protocol.") | Q(action__startswith="organisation."),
    ),
    "audit": (_("Het auditlogboek zelf"), Q(action__startswith="audit.")),
}
REPORTER, SYSTEM = "melder", "system"
NUMBER_MESSAGE = _("Een zaaknummer bestaat uit cijfers en streepjes, zoals 2026-0001.")


class TrailFilterForm(NLDesignFormMixin, forms.Form):
    zaak = forms.CharField(
        label=_("Zaaknummer"),
        required=False,
        max_length=20,
        validators=[
            RegexValidator(CASE_NUMBER, _("Een zaaknummer bestaat uit cijfers en streepjes, zoals 2026-0001."))
        ],
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    medewerker = forms.ChoiceField(label=_("Door wie"), required=False)
    handeling = forms.ChoiceField(
        label=_("Soort handeling"),
        required=False,
        choices=[("", _("Alle handelingen")), *((key, label) for key, (label, _q) in GROUPS.items())],
    )
    van = forms.DateField(
        label=_("Vanaf (datum)"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    tot = forms.DateField(
        label=_("Tot en met (datum)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = (
            StaffAccount.objects.filter(person__organisation=organisation)
            .select_related("user", "person")
            .order_by("person__name", "user__username")
        )
        self.fields["medewerker"].choices = [
            ("", _("Iedereen")),
            (REPORTER, _("De melder")),
            (SYSTEM, _("Meldpunt zelf (automatisch)")),
            *((f"staff:{a.user.get_username()}", f"{a.person.name} ({a.user.get_username()})") for a in accounts),
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("van"), cleaned.get("tot")
        if start and end and end < start:
            self.add_error(
                "tot",
                _("Deze datum ligt vóór de begindatum. Kies een datum op of na %(van)s.")
                % {"van": start.strftime("%d-%m-%Y")},
            )
        return cleaned


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def events_for(organisation, values: dict):
    """The organisation's events matching the (valid) filter values, newest first."""
    events = AuditEvent.objects.filter(chain=chain_for(organisation))
    if values.get("zaak"):
        events = events.filter(case_reference=values["zaak"])
    if values.get("medewerker"):
        events = events.filter(actor=values["medewerker"])
    if values.get("handeling") in GROUPS:
        events = events.filter(GROUPS[values["handeling"]][1])
    if values.get("van"):
        events = events.filter(at__gte=_day_start(values["van"]))
    if values.get("tot"):
        events = events.filter(at__lt=_day_start(values["tot"] + datetime.timedelta(days=1)))
    return events.order_by("-seq")


def filter_summary(values: dict) -> dict:
    """The filters as stored in the ``audit.read`` / ``audit.exported`` event (plain values, no content)."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items() if v}


def rows(events):
    """Events as ``(event, who, phrase)``, the staff names looked up once per batch."""
    batch = []
    for event in events.iterator(chunk_size=2000):
        batch.append(event)
        if len(batch) == 2000:
            yield from _described(batch)
            batch = []
    yield from _described(batch)


def _described(batch):
    names = staff_names({e.actor for e in batch})
    for event in batch:
        who = actor_name(event.actor, names)
        yield event, who, phrase(event.action, event.detail or {}, who)


def described_page(events) -> list[dict]:
    return [
        {"at": e.at, "seq": e.seq, "case": e.case_reference, "who": who, "action": e.action, "phrase": text}
        for e, who, text in _described(list(events))
    ]


# CSV --------------------------------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula: text that starts like
    one gets a leading apostrophe (OWASP "CSV injection")."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


HEADER = [
    _("Tijdstip"),
    _("Volgnummer"),
    _("Zaak"),
    _("Door"),
    _("Account"),
    _("Handeling"),
    _("Omschrijving"),
]


def csv_lines(events):
    """The CSV file line by line (for a streaming response), with a byte-order
    mark so that spreadsheet programs read it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow([safe_cell(str(h)) for h in HEADER])
    yield "\ufeff" + flush()
    for event, who, text in rows(events):
        local = timezone.localtime(event.at)
        writer.writerow(
            [
                safe_cell(local.strftime("%Y-%m-%d %H:%M:%S")),
                safe_cell(event.seq),
                safe_cell(event.case_reference),
                safe_cell(who),
                safe_cell(event.actor),
                safe_cell(event.action),
                safe_cell(text),
            ]
        )
        yield flush()
