"""Forms of the agreements, the facilities and their funding lines, and the filters of their lists."""

from django import forms
from django.db.models import Q
from django.urls import reverse

from ctg.enums import TerritoryKind
from ctg.forms import LogoInput, StaleCheckedForm
from ctg.models import Territory
from partners.documents import ACCEPT, EXTENSIONS_TEXT, max_bytes, size_text
from partners.enums import AgreementKind, FacilityKind, FundingScheme, PartnerKind
from partners.forms import FilterForm
from partners.models import CAPACITY_NEGATIVE, YEAR_MAX, YEAR_MIN, Agreement, Facility, FundingLine, Partner


class DocumentInput(LogoInput):
    """The signed document: the current one links to the view that serves it, a box removes it."""

    initial_text = "Document actuel"
    clear_checkbox_label = "Retirer ce document"


DOCUMENT_HELP = (
    "PDF ou document bureautique ({extensions}), {limit} au plus. Seules la coordination, la direction et les élus "
    "peuvent le télécharger."
)


class AgreementForm(StaleCheckedForm):
    class Meta:
        model = Agreement
        fields = [
            "partner",
            "kind",
            "reference",
            "title",
            "start_date",
            "end_date",
            "annual_amount",
            "notice_months",
            "document",
            "actions",
            "notes",
        ]
        widgets = {"document": DocumentInput(attrs={"accept": ACCEPT})}
        help_texts = {"actions": "Les fiches actions que cette convention finance ou encadre ; facultatif."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.order_by("name")
        self.fields["annual_amount"].widget.attrs |= {"min": 0, "step": "0.01"}
        self.fields["notice_months"].widget.attrs |= {"min": 0, "inputmode": "numeric"}
        # The plan's open actions, and those already linked even when archived since.
        actions = self.fields["actions"]
        linked = Q(pk__in=self.instance.actions.all()) if self.instance.pk else Q(pk__in=[])
        actions.queryset = actions.queryset.filter(Q(archived_at__isnull=True) | linked).order_by("code", "pk")
        actions.widget.choices = actions.choices
        self.fields["document"].help_text = DOCUMENT_HELP.format(
            extensions=EXTENSIONS_TEXT, limit=size_text(max_bytes())
        )
        if self.instance.pk:
            self.fields["document"].widget.url = reverse("partners:agreement_document", args=[self.instance.pk])


class FacilityForm(StaleCheckedForm):
    class Meta:
        model = Facility
        fields = ["name", "kind", "capacity", "manager", "district", "address", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = Partner.objects.order_by("name")
        self.fields["manager"].empty_label = "Aucun (régie municipale)"
        self.fields["district"].queryset = Territory.objects.filter(kind=TerritoryKind.DISTRICT).order_by("name")
        self.fields["capacity"].widget.attrs |= {"min": 0, "inputmode": "numeric"}
        self.fields["capacity"].error_messages["min_value"] = CAPACITY_NEGATIVE


class FundingLineForm(StaleCheckedForm):
    class Meta:
        model = FundingLine
        fields = [
            "year",
            "scheme",
            "funder",
            "quantity",
            "unit_rate",
            "flat_amount",
            "stage",
            "planned",
            "notified",
            "paid",
            "comment",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs |= {"min": YEAR_MIN, "max": YEAR_MAX, "inputmode": "numeric"}
        for name in ("quantity", "flat_amount", "planned", "notified", "paid"):
            self.fields[name].widget.attrs |= {"min": 0, "step": "0.01"}
        self.fields["unit_rate"].widget.attrs |= {"min": 0, "step": "0.0001"}


class AgreementFilterForm(FilterForm):
    type_partenaire = forms.ChoiceField(
        label="Type de partenaire", required=False, choices=[("", "Tous les partenaires"), *PartnerKind.choices]
    )
    type = forms.ChoiceField(
        label="Type de convention", required=False, choices=[("", "Tous"), *AgreementKind.choices]
    )
    a_renouveler = forms.BooleanField(label="À renouveler seulement", required=False)
    horizon = forms.CharField(
        label="Horizon de renouvellement (jours)",
        required=False,
        widget=forms.NumberInput(attrs={"min": 30, "max": 730, "step": 1, "inputmode": "numeric"}),
        help_text="De 30 à 730 jours.",
    )


class FacilityFilterForm(FilterForm):
    type = forms.ChoiceField(label="Type", required=False, choices=[("", "Tous les types"), *FacilityKind.choices])


class FundingFilterForm(FilterForm):
    annee = forms.IntegerField(
        label="Année",
        required=False,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    dispositif = forms.ChoiceField(
        label="Dispositif", required=False, choices=[("", "Tous les dispositifs"), *FundingScheme.choices]
    )
    equipement = forms.ModelChoiceField(
        label="Équipement", required=False, queryset=Facility.objects.order_by("name"), empty_label="Tous"
    )
