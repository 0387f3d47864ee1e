"""The case page's access history, one line in its template:
``{% load auditlog %}{% access_history %}`` ("wie heeft deze zaak geopend").

It is shown on the case page, so only to those who may open the case (the
page's own access rule). It lists the reads of the case (the page, its
attachments, the person timeline, the log, the reporter's inbox), newest
first, with who and when; nothing of the content.
"""

from django import template

from meldpunt.audit.log import chain_for
from meldpunt.audit.models import AuditEvent
from meldpunt.audit.phrases import describe_events

register = template.Library()

SHOWN = 20


@register.inclusion_tag("audit/_access_history.html", takes_context=True)
def access_history(context):
    case = context["case"]
    reads = AuditEvent.objects.filter(
        chain=chain_for(case.organisation), case_reference=case.reference, action="case.read"
    ).order_by("-seq")
    total = reads.count()
    return {"reads": describe_events(reads[:SHOWN]), "total": total, "case": case}
