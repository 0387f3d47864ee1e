"""The proof of filing's pages: the reporter's downloads (inbox session) and
the public pages (no login): checking a proof and the published keys."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from meldpunt import signing
from meldpunt.audit.log import record
from meldpunt.bewijs import pdf, proof
from meldpunt.bewijs.forms import PDF, VerifyForm
from meldpunt.bewijs.models import FilingProof
from meldpunt.melden import session
from meldpunt.organisations.models import Organisation

REPORTER = "melder"


# The reporter's downloads ------------------------------------------------------------------------------


def _reporter_proof(request, org):
    """The proof of the case whose inbox this session holds open; None means: ask for the code."""
    organisation = get_object_or_404(Organisation, slug=org)
    case = session.reporter_case(request, organisation)
    if case is None:
        return None
    found = FilingProof.objects.filter(case=case).select_related("case__organisation").first()
    if found is None:
        raise Http404  # a report from before proofs were made
    return found


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store"
    return response


def proof_pdf(request, org):
    found = _reporter_proof(request, org)
    if found is None:
        return redirect("melden:inbox_login", org=org)
    verify_url = request.build_absolute_uri(reverse("bewijs:verify"))
    keys_url = request.build_absolute_uri(reverse("bewijs:keys"))
    return _download(pdf.render(found, verify_url, keys_url), "application/pdf", f"bewijs-{found.case.reference}.pdf")


def proof_text(request, org):
    found = _reporter_proof(request, org)
    if found is None:
        return redirect("melden:inbox_login", org=org)
    return _download(
        found.armoured().encode("utf-8"), "text/plain; charset=utf-8", f"bewijs-{found.case.reference}.txt"
    )


def proof_document(request, org):
    """The report exactly as submitted: opening it is a read of the content, so it is audited."""
    found = _reporter_proof(request, org)
    if found is None:
        return redirect("melden:inbox_login", org=org)
    case = found.case
    document = found.document()
    record("case.read", actor=REPORTER, organisation=case.organisation, case=case, what="proof-document")
    return _download(document, "application/json; charset=utf-8", f"melding-{case.reference}.json")


# Public pages ------------------------------------------------------------------------------------------


def _organisation_by_slug(slug: str):
    return Organisation.objects.filter(slug=slug).first()


UNREADABLE = {
    proof.NO_BLOCK: _("Er staat geen bewijs van Meldpunt in: de regel -----BEGIN MELDPUNT PROOF----- ontbreekt."),
    proof.INCOMPLETE: _(
        "Het bewijs is niet volledig: er ontbreken regels. Kopieer het hele blok, tot en met de END-regel."
    ),
    proof.MALFORMED: _("Het bewijs is veranderd of beschadigd: een regel staat niet in de vorm van een bewijs."),
    PDF: _("Dit is een PDF-bestand. Plak de tekst van het blok onderaan het bewijs, of kies het bestand bewijs-….txt."),
}


def verify(request):
    """Paste or upload a proof: "geldig" (with the organisation and time the
    proof names) or "niet geldig". Only the signature is checked against the
    organisation's published keys; no case is looked up."""
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    context = {"form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            text = form.proof()
            if text == PDF:
                verdict = proof.Verdict(valid=False, unreadable=PDF)
            else:
                verdict = proof.check(text, _organisation_by_slug)
            context["verdict"] = verdict
            context["reason"] = str(UNREADABLE[verdict.unreadable]) if verdict.unreadable else ""
            document = form.document_bytes()
            if verdict.valid and document is not None:
                context["document_matches"] = proof.document_matches(verdict.proof, document)
        else:
            status = 400
    return render(request, "bewijs/verify.html", context, status=status)


def keys(request):
    """Every organisation's public keys, old ones included, and the installation's own."""
    organisations = [
        {"organisation": organisation, "keys": signing.public_keys(organisation)}
        for organisation in Organisation.objects.order_by("name")
    ]
    context = {"organisations": organisations, "installation_keys": signing.public_keys(None)}
    return render(request, "bewijs/keys.html", context)
