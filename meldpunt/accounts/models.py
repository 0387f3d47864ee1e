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
