"""Notifications to staff: in the app and by e-mail. They never carry report
content: only the organisation, the case number, why you get it, and a link."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from meldpunt.cases.models import Case
from meldpunt.organisations.models import Organisation
from meldpunt.registry.models import Person


class Notification(models.Model):
    class Kind(models.TextChoices):
        ROUTED = "routed", _("Nieuwe zaak volgens het protocol")
        REROUTED = "rerouted", _("Zaak opnieuw ingedeeld")
        ADMIN_ALERT = "admin_alert", _("Protocol vond niemand")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # A worker that is about to send the e-mail claims the notification until
    # ``claimed_until`` (a lease), commits, sends outside any transaction, and
    # marks it sent only if its ``claim_token`` still stands. A worker that
    # dies mid-send leaves a claim that simply runs out.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    # Waits for the recipient's digest e-mail: they had an e-mail from
    # Meldpunt less than EMAIL_DIGEST_MINUTES ago (``service.send_digest``).
    bundled = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
