"""The functional admin's pages: the registry of people and positions. No case content here."""

from django.shortcuts import render

from meldpunt.accounts.decorators import staff_required
from meldpunt.registry.models import Appointment, Person, Position, today


@staff_required(registry_admin=True)
def home(request):
    organisation = request.organisation
    context = {
        "positions": Position.objects.filter(organisation=organisation).select_related("reports_to", "deputy"),
        "people": Person.objects.filter(organisation=organisation),
        "current": Appointment.objects.filter(Appointment.held_on(today()), person__organisation=organisation)
        .select_related("person", "position")
        .order_by("position__category", "position__title"),
    }
    return render(request, "beheer/home.html", context)
