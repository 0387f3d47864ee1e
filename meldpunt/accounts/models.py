from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meldpunt.registry.models import Appointment, Category, Person, today


class StaffAccount(models.Model):
    """Links a login to a person in the registry.

    What a staff member may do follows from the positions that person holds
    today (see ``meldpunt.cases.access``); the account itself grants nothing.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_account")
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="staff_account")

    class Meta:
        verbose_name = _("medewerkersaccount")
        verbose_name_plural = _("medewerkersaccounts")

    def __str__(self):
        return f"{self.user.get_username()} ({self.person})"

    @property
    def organisation(self):
        return self.person.organisation

    def current_categories(self) -> set[str]:
        if not hasattr(self, "_categories"):
            self._categories = set(
                Appointment.objects.filter(Appointment.held_on(today()), person=self.person).values_list(
                    "position__category", flat=True
                )
            )
        return self._categories

    @property
    def is_handler(self) -> bool:
        return Category.BEHANDELAAR in self.current_categories()

    @property
    def is_registry_admin(self) -> bool:
        return Category.FUNCTIONEEL_BEHEERDER in self.current_categories()

    @property
    def is_auditor(self) -> bool:
        """Reads the audit trail, without report content."""
        return Category.AUDITOR in self.current_categories()

    @property
    def is_council(self) -> bool:
        """A council member or the griffie: sees the council figures, nothing of any case."""
        return bool({Category.RAADSLID, Category.GRIFFIER} & self.current_categories())


class SetupLink(models.Model):
    """A one-time link with which a staff member chooses a password and enrols
    a second factor (a new account, or after a reset of the second factor).

    Only the SHA-256 of the link's random token is stored: the link itself is
    shown once, to whoever created it. A link is used up by completing the
    set-up, ends at ``expires_at``, and is void as soon as a newer link for
    the same user is made or the account is deactivated.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="setup_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=200)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("instellink")
        verbose_name_plural = _("instellinks")

    def __str__(self):
        return f"{self.user.get_username()} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_open(self) -> bool:
        from django.utils import timezone

        return self.used_at is None and self.voided_at is None and self.expires_at > timezone.now()
