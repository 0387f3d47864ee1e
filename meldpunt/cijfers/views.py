"""The council figures page, its CSV and PDF, and the yearly report. Thin:
``report.build`` counts and suppresses, access decides who sees it, and
every view or download is an audit event (no case content is in any of it)."""

import csv
import io

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode

from meldpunt.accounts.decorators import staff_required
from meldpunt.audit.log import actor_for_user, record
from meldpunt.cases.access import may_see_figures
from meldpunt.cijfers import pdf, report, svg
from meldpunt.cijfers.forms import EARLIEST_YEAR, PeriodForm, year_period


def _allowed(request):
    if not may_see_figures(request.staff):
        raise Http404


def _period(request):
    form = PeriodForm(request.GET or {"soort": "jaar", "jaar": timezone.localdate().year})
    return form, (form.period if form.is_valid() else None)


def _audit(request, action, period, **detail):
    record(
        action,
        actor=actor_for_user(request.user),
        organisation=request.organisation,
        first=period.first.isoformat(),
        last=period.last.isoformat(),
        **detail,
    )


def _context(figures, request=None):
    charts = {
        table.key: svg.bar_chart(f"grafiek-{table.key}", str(table.title), table.chart_rows) for table in figures.tables
    }
    return {
        "figures": figures,
        "organisation": figures.organisation,
        "tables": [(table, charts[table.key]) for table in figures.tables if table.section == "figures"],
        "anonymous_tables": [(table, charts[table.key]) for table in figures.tables if table.section == "anonymous"],
        "indicators": [i for i in figures.indicators if i.section == "figures"],
        "anonymous_indicators": [i for i in figures.indicators if i.section == "anonymous"],
        "legend": svg.legend(),
    }


@staff_required
def page(request):
    _allowed(request)
    form, period = _period(request)
    if period is None:
        return render(request, "cijfers/page.html", {"form": form, "organisation": request.organisation}, status=400)
    figures = report.build(request.organisation, period)
    _audit(request, "figures.viewed", period)
    query = urlencode({k: v for k, v in request.GET.items() if k in form.fields}) or urlencode(
        {"soort": "jaar", "jaar": period.first.year}
    )
    context = _context(figures) | {
        "form": form,
        "query": query,
        "years": range(timezone.localdate().year, EARLIEST_YEAR - 1, -1)[:6],
    }
    return render(request, "cijfers/page.html", context)


@staff_required
def csv_download(request):
    _allowed(request)
    form, period = _period(request)
    if period is None:
        return render(request, "cijfers/page.html", {"form": form, "organisation": request.organisation}, status=400)
    figures = report.build(request.organisation, period)
    _audit(request, "figures.exported", period, format="csv")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([request.organisation.name, period.label])
    writer.writerows(figures.csv_rows())
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cijfers-{period.first}-{period.last}.csv"'
    return response


@staff_required
def pdf_download(request):
    _allowed(request)
    form, period = _period(request)
    if period is None:
        return render(request, "cijfers/page.html", {"form": form, "organisation": request.organisation}, status=400)
    figures = report.build(request.organisation, period)
    _audit(request, "figures.exported", period, format="pdf")
    html = render_to_string("cijfers/document.html", _context(figures) | {"yearly": False}, request=request)
    return pdf.response(html, f"cijfers-{period.first}-{period.last}.pdf")


@staff_required
def yearly_report(request, year):
    _allowed(request)
    if not EARLIEST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    period = year_period(year)
    figures = report.build(request.organisation, period)
    _audit(request, "figures.exported", period, format="jaarverslag")
    html = render_to_string("cijfers/document.html", _context(figures) | {"yearly": True}, request=request)
    return pdf.response(html, f"jaarverslag-{year}.pdf")
