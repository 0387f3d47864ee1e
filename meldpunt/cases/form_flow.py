"""The report form's round trips, shared by the public page and the staff registration page.

Nothing a reporter typed may vanish. Text left in "Zoek op naam of functie"
when the form is sent is searched there and then:

* it matches someone the reporter already chose: it was resolved, nothing to add;
* it matches people not chosen yet, and the page has not shown those matches
  for this text: the form comes back with everything kept, the matches to pick
  from and a request to pick one or describe the person (nothing is stored);
* otherwise (no match, or the reporter saw the matches and sent again without
  picking): the text is kept as a typed-in person the report is about.

The page tells the next request which search it showed the matches of in a
hidden field (``SEARCH_SHOWN``), so this works without JavaScript or session.
"""

from django.shortcuts import render

from meldpunt.cases.actions import SubjectInput
from meldpunt.cases.models import SubjectLink
from meldpunt.registry.search import search_people

SEARCH_SHOWN = "zoek_getoond"

RESOLVED, ASK, KEEP = "resolved", "ask", "keep"


def report_form_step(request, form_class, organisation, template: str, extra_context=None):
    """Handle everything short of storing: the empty form, a registry search
    (keeps everything typed, stores nothing), text left in the search box
    (see above) and refused input (status 400).

    Returns ``(form, None)`` when the form is valid and the caller should
    store it, else ``(None, response)``.
    """
    context = {"organisation": organisation, **(extra_context or {})}
    if request.method != "POST":
        context.update(form=form_class(organisation=organisation), show_errors=False)
        return None, render(request, template, context)
    form = form_class(request.POST, request.FILES, organisation=organisation)
    context.update(
        form=form,
        search_shown=request.POST.get(SEARCH_SHOWN, "")[:200],
        # A file input cannot be filled in again: name what has to be chosen again.
        files_to_choose_again=[f.name[:120] for f in request.FILES.getlist("files")][:10],
    )
    if request.POST.get("action") == "zoek":
        round_trip = form.search_round_trip()
        if round_trip["hits"]:
            context["search_shown"] = form.data.get("search", "").strip()
        return None, render(request, template, {**context, **round_trip})
    valid = form.is_valid()
    verdict, hits = typed_search(form)
    if verdict == ASK:
        context.update(hits=hits, searched=True, pick_prompt=True, search_shown=_query(form))
    if not valid:
        return None, render(request, template, {**context, "show_errors": True}, status=400)
    if verdict == ASK:
        return None, render(request, template, {**context, "show_errors": False})
    if verdict == KEEP:
        form.subjects.append(SubjectInput(role=SubjectLink.Role.BESCHULDIGDE, name=_query(form)))
    return form, None


def _query(form) -> str:
    cleaned = getattr(form, "cleaned_data", {}).get("search")
    return (cleaned if cleaned is not None else form.data.get("search", "")).strip()


def typed_search(form) -> tuple[str | None, list]:
    """What to do with the text in the search box when the form is sent: ``None``
    (empty), ``RESOLVED``, ``ASK`` (with the matches to show) or ``KEEP``."""
    query = _query(form)
    if not query:
        return None, []
    hits = search_people(form.organisation, query)
    if any(hit.person in form.selected_people for hit in hits):
        return RESOLVED, []
    if hits and form.data.get(SEARCH_SHOWN, "").strip() != query:
        return ASK, hits
    return KEEP, []
