"""The functional admin's protocol pages: read the protocol in force, edit it
into a new version, and preview who would be told about a report on someone.

Editing never changes a version: a valid edit saves the next version, which
routes the cases that come in from then on; a refused edit saves nothing.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from meldpunt.accounts.models import StaffAccount
from meldpunt.beheer.views import admin_required
from meldpunt.ids import parse_id
from meldpunt.protocol import validation
from meldpunt.protocol.actions import VersionOutdated, publish_version
from meldpunt.protocol.forms import ProtocolForm, WhatIfForm
from meldpunt.protocol.models import AccusedCategory, ProtocolVersion
from meldpunt.protocol.service import explain_for
from meldpunt.protocol.versions import current_version, summary
from meldpunt.registry.models import Person


def saved_by(version: ProtocolVersion) -> str:
    user = version.created_by
    if user is None:
        return _("automatisch (standaardprotocol)")
    try:
        return user.staff_account.person.name
    except StaffAccount.DoesNotExist:
        return user.get_username()


def rule_rows(version: ProtocolVersion) -> list[dict]:
    """The version's rules in the order of the categories, with plain names for every code."""
    order = {category: n for n, category in enumerate(AccusedCategory.values)}
    rules = sorted(version.rules.all(), key=lambda r: order.get(r.category, len(order)))
    return [
        {
            "rule": rule,
            "label": validation.category_label(rule.category),
            "recipients": [validation.code_label(c) for c in rule.recipients],
            "escalation": [validation.code_label(c) for c in rule.escalation],
            "exclusions": [validation.code_label(c) for c in rule.exclusions],
        }
        for rule in rules
    ]


def _versions(organisation):
    return ProtocolVersion.objects.filter(organisation=organisation).select_related("created_by__staff_account__person")


def _show(request, version: ProtocolVersion, current: ProtocolVersion):
    versions = [{"version": v, "saved_by": saved_by(v)} for v in _versions(request.organisation)]
    context = {
        "version": version,
        "current": current,
        "is_current": version.pk == current.pk,
        "saved_by": saved_by(version),
        "summary": summary(version),
        "rows": rule_rows(version),
        "versions": versions,
    }
    return render(request, "beheer/protocol.html", context)


@admin_required
def protocol(request):
    version = current_version(request.organisation)
    return _show(request, version, version)


@admin_required
def protocol_version(request, number):
    current = current_version(request.organisation)
    version = _versions(request.organisation).filter(number=number).first()
    if version is None:
        raise Http404
    return _show(request, version, current)


@admin_required
def protocol_edit(request):
    organisation = request.organisation
    version = current_version(organisation)
    data = request.POST.copy() if request.method == "POST" else None
    outdated = False
    based_on = parse_id(data.get("based_on", "")) if data is not None else None
    if based_on is not None and based_on != version.number:
        # Someone saved a version since this form was opened. Keep what was
        # typed, but let the next save build on the version now in force.
        outdated = True
        data["based_on"] = str(version.number)
    form = ProtocolForm(data, version=version)
    if data is not None and form.is_valid(organisation) and not outdated:
        note = form.meta.cleaned_data["note"]
        if form.unchanged() and not note:
            messages.info(request, _("Er is niets veranderd. Versie %(n)s blijft van kracht.") % {"n": version.number})
            return redirect("beheer:protocol")
        try:
            new = publish_version(
                organisation, form.cleaned_rules(), based_on=version, staff_user=request.user, note=note
            )
        except VersionOutdated:
            outdated = True
        if not outdated:
            messages.success(
                request,
                _("Versie %(n)s van het protocol is opgeslagen. Alle zaken volgen vanaf nu deze versie.")
                % {"n": new.number},
            )
            return redirect("beheer:protocol")
    context = {
        "form": form,
        "version": version,
        "show_errors": form.is_bound,
        "outdated": outdated,
        "refused": form.is_bound and (bool(form.problems) or bool(form.invalid_rules) or bool(form.meta.errors)),
    }
    return render(
        request, "beheer/protocol_edit.html", context, status=409 if outdated else 400 if form.is_bound else 200
    )


@admin_required
def protocol_preview(request):
    organisation = request.organisation
    form = WhatIfForm(request.GET if "persoon" in request.GET else None, organisation=organisation)
    context = {"form": form, "show_errors": form.is_bound}
    if form.is_bound and form.is_valid():
        person = form.cleaned_data["persoon"]
        events_on = form.cleaned_data.get("datum")
        preview = explain_for(organisation, person, events_on)
        decision = preview["decision"]
        names = dict(Person.objects.filter(pk__in=decision.excluded).values_list("pk", "name"))

        def reason(pk):
            if pk == person.pk:
                return _("de persoon over wie de melding gaat")
            if pk in decision.rule_exclusions:
                return _("uitgesloten door de regel van het protocol")
            return _("geregistreerde belangenverstrengeling")

        context.update(
            person=person,
            events_on=events_on,
            basis=decision.basis,
            version=preview["version"],
            categories=[validation.category_label(c) for c in decision.categories],
            recipients=preview["recipients"],
            external=preview["external"],
            excluded=sorted((names.get(pk, "?"), reason(pk)) for pk in decision.excluded),
            admin_alert=decision.admin_alert,
        )
    return render(request, "beheer/protocol_preview.html", context, status=400 if form.errors else 200)
