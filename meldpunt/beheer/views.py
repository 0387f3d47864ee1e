"""The functional admin's pages: the registry of people and positions, and
the conflicts of interest between people. No case content here.

Every query is scoped to ``request.organisation``; another organisation's
people, positions, appointments and conflicts do not exist here (404).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from meldpunt.accounts.decorators import staff_required
from meldpunt.beheer.forms import (
    AppointmentForm,
    ConflictForm,
    EndAppointmentForm,
    ImportForm,
    PersonForm,
    PositionForm,
)
from meldpunt.registry import actions, csv_import
from meldpunt.registry.models import Appointment, Category, Conflict, Person, Position, today

admin_required = staff_required(registry_admin=True)


def _current(related: str):
    """Prefetch today's appointments as ``current_appointments``."""
    appointments = Appointment.objects.filter(Appointment.held_on(today())).select_related(related)
    return Prefetch("appointments", queryset=appointments, to_attr="current_appointments")


def _posted(request):
    """The submitted data, so that an empty submission is checked too (and not shown as a fresh form)."""
    return request.POST if request.method == "POST" else None


def _render_form(request, template, context, form):
    context = {"form": form, "show_errors": form.is_bound, **context}
    return render(request, template, context, status=400 if form.errors else 200)


@admin_required
def home(request):
    organisation = request.organisation
    positions = (
        Position.objects.filter(organisation=organisation)
        .select_related("reports_to", "deputy")
        .prefetch_related(_current("person"))
    )
    people = Person.objects.filter(organisation=organisation).prefetch_related(_current("position"))
    context = {
        "positions": positions,
        "people": people,
        "vacancies": sum(1 for p in positions if not p.current_appointments),
    }
    return render(request, "beheer/home.html", context)


@admin_required
def person_edit(request, pk=None):
    person = get_object_or_404(Person, pk=pk, organisation=request.organisation) if pk else None
    form = PersonForm(_posted(request), instance=person, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        person = actions.save_person(form.save(commit=False), staff_user=request.user, created=person is None)
        messages.success(request, _("%(name)s is opgeslagen.") % {"name": person.name})
        return redirect("beheer:person", pk=person.pk)
    context = {
        "person": person,
        "appointments": person.appointments.select_related("position") if person else [],
        "today": today(),
    }
    return _render_form(request, "beheer/person_form.html", context, form)


@admin_required
def position_edit(request, pk=None):
    position = get_object_or_404(Position, pk=pk, organisation=request.organisation) if pk else None
    form = PositionForm(_posted(request), instance=position, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_position(form.save(commit=False), staff_user=request.user, created=position is None)
        except actions.OwnRights as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("De functie %(title)s is opgeslagen.") % {"title": saved.title})
            return redirect("beheer:position", pk=saved.pk)
    context = {
        "position": position,
        "appointments": position.appointments.select_related("person") if position else [],
        "today": today(),
    }
    return _render_form(request, "beheer/position_form.html", context, form)


@admin_required
def appointment_add(request, pk):
    position = get_object_or_404(Position, pk=pk, organisation=request.organisation)
    form = AppointmentForm(_posted(request), position=position, initial={"start_date": today()})
    if request.method == "POST" and form.is_valid():
        try:
            appointment = actions.appoint(form.save(commit=False), staff_user=request.user)
        except actions.OwnRights as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s bekleedt nu de functie %(title)s.")
                % {"name": appointment.person.name, "title": position.title},
            )
            return redirect("beheer:position", pk=position.pk)
    return _render_form(request, "beheer/appointment_form.html", {"position": position}, form)


@admin_required
def appointment_end(request, pk):
    appointment = get_object_or_404(
        Appointment.objects.select_related("person", "position"), pk=pk, position__organisation=request.organisation
    )
    initial = {} if appointment.end_date else {"end_date": today()}
    form = EndAppointmentForm(_posted(request), instance=appointment, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_appointment(form.save(commit=False), staff_user=request.user)
        except actions.OwnRights as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("De benoeming van %(name)s als %(title)s is beëindigd.")
                % {"name": appointment.person.name, "title": appointment.position.title},
            )
            return redirect("beheer:position", pk=appointment.position.pk)
    return _render_form(request, "beheer/appointment_end.html", {"appointment": appointment}, form)


@admin_required
def import_csv(request):
    form = ImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    context = {
        "columns": csv_import.COLUMNS,
        "categories": Category.choices,
        "setup_link_hours": settings.SETUP_LINK_HOURS,
    }
    if request.method == "POST" and form.is_valid():
        try:
            summary = actions.import_registry(request.organisation, form.cleaned_data["file"], staff_user=request.user)
        except csv_import.RegistryImportError as error:
            context.update(form=ImportForm(), problems=error.problems, show_errors=False)
            return render(request, "beheer/import.html", context, status=400)
        context.update(form=ImportForm(), summary=summary, show_errors=False)
        return render(request, "beheer/import.html", context)
    return _render_form(request, "beheer/import.html", context, form)


@admin_required
def import_example(request):
    # With a byte order mark, so that Excel opens it as UTF-8.
    response = HttpResponse("\ufeff" + csv_import.example_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="voorbeeld-register.csv"'
    return response


# Conflicts of interest --------------------------------------------------------------------------------


def _conflicts(organisation):
    return Conflict.objects.filter(person__organisation=organisation).select_related("person", "other")


@admin_required
def conflicts(request):
    context = {"conflicts": _conflicts(request.organisation).order_by("person__name", "other__name", "pk")}
    return render(request, "beheer/conflicts.html", context)


@admin_required
def conflict_add(request):
    form = ConflictForm(_posted(request), organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_conflict(
                request.organisation, data["person"], data["other"], data["reason"], staff_user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The same message whether or not open cases named either person:
            # the admin does not learn that a case about someone exists.
            messages.success(
                request,
                _(
                    "De belangenverstrengeling tussen %(a)s en %(b)s is vastgelegd. Lopende zaken over een van "
                    "beiden zijn zo nodig opnieuw ingedeeld volgens het protocol."
                )
                % {"a": data["person"].name, "b": data["other"].name},
            )
            return redirect("beheer:conflicts")
    return _render_form(request, "beheer/conflict_form.html", {}, form)


@admin_required
def conflict_remove(request, pk):
    conflict = get_object_or_404(_conflicts(request.organisation), pk=pk)
    if request.method == "POST":
        actions.remove_conflict(conflict, staff_user=request.user)
        messages.success(
            request,
            _("De belangenverstrengeling tussen %(a)s en %(b)s is verwijderd.")
            % {"a": conflict.person.name, "b": conflict.other.name},
        )
        return redirect("beheer:conflicts")
    return render(request, "beheer/conflict_remove.html", {"conflict": conflict})
