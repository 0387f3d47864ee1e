"""Aftercare pages: the reporter's answers in the inbox (support, disadvantage,
the linked case), the handler's offer at closure, and the functional admin's
support options. Thin: the rules are in ``support`` and ``retaliation``."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meldpunt.accounts.decorators import staff_required
from meldpunt.beheer.views import _posted, _render_form, admin_required
from meldpunt.cases.access import access_case_for_handling
from meldpunt.cases.models import Case
from meldpunt.cases.workflow import OPEN_STATES
from meldpunt.melden import session
from meldpunt.nazorg import retaliation, support
from meldpunt.nazorg.forms import AftercareSettingsForm, SupportOptionForm
from meldpunt.nazorg.models import SupportOffer, SupportOption
from meldpunt.organisations.models import Organisation


def _reporter_case(request, org):
    organisation = get_object_or_404(Organisation, slug=org)
    return organisation, session.reporter_case(request, organisation)


def _refused(request, organisation, case, what: str, errors: dict, typed: dict):
    """The answer was not recorded: say why, keep what was typed (status 400)."""
    context = {"organisation": organisation, "case": case, "what": what, "errors": errors, "typed": typed}
    if what == "steun":
        context["offer"] = typed.get("offer")
    return render(request, "nazorg/answer_refused.html", context, status=400)


@require_POST
def answer_support(request, org, offer_id):
    """The reporter's answer to a support offer of their own case (another case's offer: 404)."""
    organisation, case = _reporter_case(request, org)
    if case is None:
        return redirect("melden:inbox_login", org=organisation.slug)
    wanted = request.POST.getlist("steun")
    none = request.POST.get("geen") == "ja"
    note = request.POST.get("toelichting", "")
    try:
        _answer, new = support.answer_offer(case, offer_id, wanted=wanted, none=none, note=note)
    except SupportOffer.DoesNotExist:
        raise Http404 from None
    except support.AnswerRefused as refused:
        offer = SupportOffer.objects.get(case=case, public_id=offer_id)
        typed = {"offer": offer, "wanted": wanted, "none": none, "note": note}
        return _refused(request, organisation, case, "steun", refused.errors, typed)
    if new:
        messages.success(request, _("Dank u. Uw antwoord over steun is vastgelegd; de behandelaar ziet het."))
    else:
        messages.info(request, _("U had hierop al geantwoord. Uw eerste antwoord blijft staan."))
    return redirect(reverse("melden:inbox", args=[organisation.slug]) + "#steun")


@require_POST
def disadvantage(request, org):
    """The answer to the question about disadvantage (``vraag`` names the
    closure), or disadvantage reported at any time (no ``vraag``). ``zaak``
    must be the case of this inbox: a form of another case is "not found"."""
    organisation, case = _reporter_case(request, org)
    if case is None:
        return redirect("melden:inbox_login", org=organisation.slug)
    if request.POST.get("zaak") != str(case.public_id):
        raise Http404
    token = request.POST.get("vraag", "")
    answer = request.POST.get("antwoord", "ja" if not token else "")
    text = request.POST.get("tekst", "")
    try:
        if token:
            stored, new = retaliation.answer_question(case, token, answer, text)
        else:
            stored, new = retaliation.report_disadvantage(case, text), True
    except retaliation.NotAsked:
        raise Http404 from None
    except support.AnswerRefused as refused:
        typed = {"token": token, "answer": answer, "text": text}
        return _refused(request, organisation, case, "benadeling", refused.errors, typed)
    if not new:
        messages.info(request, _("U had deze vraag al beantwoord. Uw eerste antwoord blijft staan."))
    elif stored.follow_up is not None:
        messages.success(
            request,
            _(
                "Uw melding over benadeling is ontvangen als een nieuwe melding, gekoppeld aan deze. "
                "U opent haar met dezelfde ontvangstcode: zie 'Uw melding over benadeling' hieronder."
            ),
        )
    else:
        messages.success(request, _("Dank u. Uw antwoord is vastgelegd."))
    return redirect(reverse("melden:inbox", args=[organisation.slug]) + "#benadeling")


@require_POST
def open_linked(request, org, case_id):
    """Open the inbox of the case linked to this one (the follow-up, or the case it follows from)."""
    organisation, case = _reporter_case(request, org)
    if case is None:
        return redirect("melden:inbox_login", org=organisation.slug)
    target = Case.objects.filter(organisation=organisation, public_id=case_id).select_related("organisation").first()
    if target is None or not retaliation.may_switch(case, target):
        raise Http404
    session.open_inbox(request, target)
    return redirect("melden:inbox", org=organisation.slug)


@staff_required
@require_POST
def offer_again(request, reference):
    """A handler offers support again through the inbox, before closing."""
    case = access_case_for_handling(request.staff, reference)
    if case.state not in OPEN_STATES:
        raise Http404
    support.offer_at_closure(case, staff_user=request.user)
    messages.success(request, _("Steun opnieuw aangeboden: de melder ziet het aanbod in het postvak."))
    return redirect(reverse("behandelen:case", args=[case.reference]) + "#nazorg-steun")


# The functional admin ----------------------------------------------------------------------------------


@admin_required
def settings_page(request):
    organisation = request.organisation
    support.ensure_defaults(organisation)
    form = AftercareSettingsForm.of(organisation, _posted(request))
    if request.method == "POST" and form.is_valid():
        support.save_check_months(organisation, form.cleaned_data["retaliation_check_months"], staff_user=request.user)
        messages.success(request, _("De nazorg is opgeslagen."))
        return redirect("nazorg:settings")
    options = SupportOption.objects.filter(organisation=organisation)
    return _render_form(request, "nazorg/beheer.html", {"options": options}, form)


@admin_required
def option_edit(request, pk=None):
    organisation = request.organisation
    option = get_object_or_404(SupportOption, pk=pk, organisation=organisation) if pk else None
    form = SupportOptionForm(_posted(request), instance=option)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.organisation = organisation
        support.save_option(saved, staff_user=request.user, created=option is None)
        messages.success(request, _("%(name)s is opgeslagen.") % {"name": saved.name})
        return redirect("nazorg:settings")
    return _render_form(request, "nazorg/option_form.html", {"option": option}, form)
