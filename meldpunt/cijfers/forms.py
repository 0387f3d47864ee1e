"""The period of the figures: a year, a quarter, or dates of one's own."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meldpunt.cijfers.figures import Period
from meldpunt.nlds import NLDesignFormMixin

EARLIEST_YEAR = 2000
LONGEST_DAYS = 366 * 10


class PeriodForm(NLDesignFormMixin, forms.Form):
    soort = forms.ChoiceField(
        label=gettext_lazy("Periode"),
        choices=[
            ("jaar", gettext_lazy("Kalenderjaar")),
            ("kwartaal", gettext_lazy("Kwartaal")),
            ("eigen", gettext_lazy("Van en tot een datum")),
        ],
        initial="jaar",
        required=False,
    )
    jaar = forms.IntegerField(label=gettext_lazy("Jaar"), required=False)
    kwartaal = forms.TypedChoiceField(
        label=gettext_lazy("Kwartaal"),
        choices=[("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")],
        coerce=int,
        required=False,
    )
    van = forms.DateField(label=gettext_lazy("Van"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    tot = forms.DateField(
        label=gettext_lazy("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_jaar(self):
        year = self.cleaned_data.get("jaar")
        this_year = timezone.localdate().year
        if year is not None and not EARLIEST_YEAR <= year <= this_year:
            raise forms.ValidationError(
                _("Kies een jaar van %(first)s tot en met %(last)s.") % {"first": EARLIEST_YEAR, "last": this_year}
            )
        return year

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("soort") or "jaar"
        year = cleaned.get("jaar") or timezone.localdate().year
        if kind == "jaar":
            self.period = year_period(year)
        elif kind == "kwartaal":
            quarter = cleaned.get("kwartaal")
            if not quarter:
                self.add_error("kwartaal", _("Kies een kwartaal (1 tot en met 4)."))
                return cleaned
            first = datetime.date(year, 3 * quarter - 2, 1)
            last = (datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)) - datetime.timedelta(days=1)
            self.period = Period(first, last, _("kwartaal %(q)s %(year)s") % {"q": quarter, "year": year})
        else:
            first, last = cleaned.get("van"), cleaned.get("tot")
            if first is None:
                self.add_error("van", _("Vul de eerste dag in."))
            if last is None:
                self.add_error("tot", _("Vul de laatste dag in."))
            if first is None or last is None:
                return cleaned
            if last < first:
                self.add_error("tot", _("De laatste dag ligt voor de eerste."))
                return cleaned
            if (last - first).days > LONGEST_DAYS or first.year < EARLIEST_YEAR:
                self.add_error("van", _("Kies een periode van hoogstens tien jaar, vanaf het jaar 2000."))
                return cleaned
            self.period = Period(first, last, f"{first:%d-%m-%Y} – {last:%d-%m-%Y}")
        return cleaned


def year_period(year: int) -> Period:
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), str(year))
