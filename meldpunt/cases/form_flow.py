"""The report form's round trips, shared by the public page and the staff registration page."""

from django.shortcuts import render


def report_form_step(request, form_class, organisation, template: str):
    """Handle everything short of storing: the empty form, a registry search
    (keeps everything typed, stores nothing) and refused input (status 400).

    Returns ``(form, None)`` when the form is valid and the caller should
    store it, else ``(None, response)``.
    """
    context = {"organisation": organisation}
    if request.method != "POST":
        context.update(form=form_class(organisation=organisation), show_errors=False)
        return None, render(request, template, context)
    form = form_class(request.POST, request.FILES, organisation=organisation)
    context["form"] = form
    if request.POST.get("action") == "zoek":
        return None, render(request, template, {**context, **form.search_round_trip()})
    if not form.is_valid():
        return None, render(request, template, {**context, "show_errors": True}, status=400)
    return form, None
