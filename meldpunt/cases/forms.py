"""The report form, shared by the public page and the staff "register on behalf" page."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meldpunt.cases import validators
from meldpunt.cases.actions import ReportInput, SubjectInput
from meldpunt.cases.models import Behaviour, Channel, ContactContext, Kind, Relation, SubjectLink, ToldBefore, Wish
from meldpunt.ids import parse_id
from meldpunt.input_rules import check_single_line
from meldpunt.nlds import NLDesignFormMixin
from meldpunt.registry.models import Person
from meldpunt.registry.search import people_by_ids, search_people

FREE_SUBJECT_ROWS = 3
PERSON_PREFIX = "persoon_"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return validators.check_uploads(uploads)


class ReportForm(NLDesignFormMixin, forms.Form):
    relation = forms.ChoiceField(
        label=gettext_lazy("Wat is uw relatie tot de organisatie?"), choices=Relation.choices, widget=forms.RadioSelect
    )
    anonymous = forms.TypedChoiceField(
        label=gettext_lazy("Wilt u anoniem blijven?"),
        choices=[("ja", gettext_lazy("Ja, ik meld anoniem")), ("nee", gettext_lazy("Nee, ik geef mijn naam"))],
        coerce=lambda value: value == "ja",
        widget=forms.RadioSelect,
        initial="ja",
    )
    name = forms.CharField(label=gettext_lazy("Uw naam"), required=False, max_length=validators.MAX_SHORT)
    email = forms.EmailField(label=gettext_lazy("Uw e-mailadres"), required=False, max_length=validators.MAX_SHORT)
    phone = forms.CharField(label=gettext_lazy("Uw telefoonnummer"), required=False, max_length=40)
    search = forms.CharField(
        label=gettext_lazy("Zoek op naam of functie"),
        required=False,
        max_length=validators.MAX_SHORT,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=gettext_lazy("Wat is er gebeurd?"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=validators.MAX_TEXT,
        help_text=gettext_lazy("Schrijf het in uw eigen woorden. Wat gebeurde er, waar, en hoe vaak?"),
    )
    period_start = forms.DateField(
        label=gettext_lazy("Wanneer begon het?"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=gettext_lazy("Tot wanneer duurde het?"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Laat leeg bij één datum of als het nog doorgaat."),
    )
    behaviour = forms.ChoiceField(
        label=gettext_lazy("Wat voor gedrag was het?"),
        choices=[("", gettext_lazy("Kies, als u wilt"))] + list(Behaviour.choices),
        required=False,
        help_text=gettext_lazy(
            "Soort gedrag, als u wilt. Twijfelt u, laat het dan open: de behandelaar beoordeelt het ook zelf."
        ),
    )
    contact_context = forms.ChoiceField(
        label=gettext_lazy("Hoe kwam het contact tot stand?"),
        choices=[("", gettext_lazy("Kies, als u wilt"))] + list(ContactContext.choices),
        required=False,
    )
    told_before = forms.ChoiceField(
        label=gettext_lazy("Heeft u dit eerder aan iemand verteld of gemeld?"),
        choices=ToldBefore.choices,
        widget=forms.RadioSelect,
        initial="nee",
    )
    told_before_details = forms.CharField(
        label=gettext_lazy("Aan wie, en wanneer?"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    wishes = forms.MultipleChoiceField(
        label=gettext_lazy("Wat wilt u dat er gebeurt?"),
        choices=Wish.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Kies minstens één wens. U kunt later van gedachten veranderen.")},
    )
    files = MultipleFileField(label=gettext_lazy("Bijlagen"), required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["files"].help_text = _(
            "Foto's, schermafbeeldingen, e-mails, documenten of geluidsopnamen. Hoogstens %(count)d bestanden van "
            "elk hoogstens %(size)d MB. Toegestaan: %(types)s. Kies bijlagen als laatste: na een foutmelding of "
            "een zoekopdracht moet u ze opnieuw kiezen."
        ) % {
            "count": validators.settings.ATTACHMENT_MAX_FILES,
            "size": validators.settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
            "types": validators.ALLOWED_EXTENSIONS_TEXT,
        }
        self.selected_people, self.unknown_person_ids = self._selected_people()

    # People picked from the registry travel as persoon_<id>=<role> fields,
    # so they survive every round trip through the server without JavaScript.
    def _selected_people(self):
        if not self.is_bound:
            return {}, []
        choices, unknown = {}, []
        for key, role in self.data.items():
            if not key.startswith(PERSON_PREFIX) or not role:
                continue
            raw_id = key[len(PERSON_PREFIX) :]
            person_id = parse_id(raw_id)
            if person_id is not None and role in SubjectLink.Role.values:
                choices[person_id] = role
            else:
                unknown.append(raw_id)
        known = people_by_ids(self.organisation, choices)
        selected = {known[i]: role for i, role in choices.items() if i in known}
        unknown += [i for i in choices if i not in known]
        return selected, unknown

    def search_round_trip(self) -> dict:
        """Template context for a search: matches not chosen yet, and no error display."""
        query = self.data.get("search", "")
        hits = [hit for hit in search_people(self.organisation, query) if hit.person not in self.selected_people]
        return {"hits": hits, "searched": bool(query.strip()), "show_errors": False}

    def free_subject_rows(self):
        """The typed-in people: every filled row, plus one empty row while there is room."""
        rows = []
        for number in range(1, FREE_SUBJECT_ROWS + 1):
            data = self.data if self.is_bound else {}
            row = {
                "number": number,
                # Shown again whole, also when too long: clean() says so, nothing is cut.
                "name": data.get(f"vrij_naam_{number}", ""),
                "function": data.get(f"vrij_functie_{number}", ""),
                "role": data.get(f"vrij_rol_{number}", SubjectLink.Role.BESCHULDIGDE),
            }
            filled = row["name"] or row["function"]
            if filled or not any(not (r["name"] or r["function"]) for r in rows):
                rows.append(row)
        return rows

    def clean(self):
        cleaned = super().clean()
        for field, message in validators.check_period(cleaned.get("period_start"), cleaned.get("period_end")):
            self.add_error(field, message)
        if self.unknown_person_ids:
            self.add_error(
                None,
                _("Een van de gekozen personen staat niet (meer) in het register. Kies opnieuw of typ de naam zelf."),
            )
        self.subjects = [SubjectInput(role=role, person=person) for person, role in self.selected_people.items()]
        for row in self.free_subject_rows():
            name, function = row["name"].strip(), row["function"].strip()
            if not (name or function):
                continue
            if (
                len(self.data.get(f"vrij_naam_{row['number']}", "")) > validators.MAX_SHORT
                or len(self.data.get(f"vrij_functie_{row['number']}", "")) > validators.MAX_SHORT
            ):
                self.add_error(None, _("Een naam of functie is te lang (hoogstens 200 tekens)."))
            for value in (name, function):
                try:
                    check_single_line(value)
                except forms.ValidationError as error:
                    self.add_error(None, error)
                    break
            role = row["role"] if row["role"] in SubjectLink.Role.values else SubjectLink.Role.BESCHULDIGDE
            self.subjects.append(SubjectInput(role=role, name=name, function=function))
        return cleaned

    def report_input(self) -> ReportInput:
        data = self.cleaned_data
        return ReportInput(
            relation=data["relation"],
            anonymous=data["anonymous"],
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            description=data["description"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            contact_context=data["contact_context"],
            behaviour=data.get("behaviour", ""),
            told_before=data["told_before"],
            told_before_details=data["told_before_details"],
            wishes=data["wishes"],
            subjects=self.subjects,
            files=data["files"],
        )


class StaffReportForm(ReportForm):
    """A handler registers a report received by phone, letter or in person,
    or a signal they picked up themselves."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Soort"), choices=Kind.choices, widget=forms.RadioSelect, initial=Kind.MELDING
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Hoe kwam het binnen?"),
        choices=[c for c in Channel.choices if c[0] != Channel.ONLINE],
        initial=Channel.TELEFOON,
    )

    field_order = ["kind", "channel"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wishes"].required = False
        self.fields["relation"].label = _("Relatie van de melder tot de organisatie")
        self.fields["anonymous"].label = _("Wil de melder anoniem blijven?")


class MessageForm(NLDesignFormMixin, forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Uw bericht"), widget=forms.Textarea(attrs={"rows": 5}), max_length=validators.MAX_TEXT
    )
    files = MultipleFileField(label=gettext_lazy("Bijlagen"), required=False)


class ReceiptForm(NLDesignFormMixin, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Uw ontvangstcode"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
        help_text=gettext_lazy("28 cijfers (een code van vóór december 2026: 24). Spaties en streepjes mogen."),
    )


class SubjectForm(NLDesignFormMixin, forms.Form):
    """A handler names another person in a case (re-classification)."""

    person = forms.ModelChoiceField(label=gettext_lazy("Persoon uit het register"), queryset=None)
    role = forms.ChoiceField(label=gettext_lazy("Rol"), choices=SubjectLink.Role.choices)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(organisation=organisation)
        self.fields["person"].error_messages["invalid_choice"] = gettext_lazy(
            "Deze persoon staat niet in het register van deze organisatie."
        )

    def subject_input(self) -> SubjectInput:
        return SubjectInput(role=self.cleaned_data["role"], person=self.cleaned_data["person"])
