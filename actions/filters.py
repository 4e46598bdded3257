import django_filters
from django import forms
from django.db.models import Case, Q, When

from actions.enums import ActionStatus, Funder
from actions.models import Action, TargetPublic
from ctg.enums import TerritoryKind
from ctg.models import Axis, Convention, Objective, Service, Territory

STATUS_ORDER = Case(*[When(status=status, then=rank) for rank, status in enumerate(ActionStatus)])

SORTS = {
    "code": ("Code", ["code"]),
    "title": ("Intitulé", ["title"]),
    "status": ("Statut", [STATUS_ORDER, "code"]),
    "-progress": ("Avancement décroissant", ["-progress", "code"]),
    "progress": ("Avancement croissant", ["progress", "code"]),
    "end_date": ("Date de fin", ["end_date", "code"]),
    "last_update": ("Dernier point d'étape, le plus ancien d'abord", ["last_news_at", "code"]),
}


MISSING_CHOICES = [
    ("update", "Sans point d'étape dans l'année"),
    ("actual", "Réalisé manquant"),
]


class ActionFilter(django_filters.FilterSet):
    """Filters of the plan d'actions. Every choice list is limited to the convention being viewed."""

    q = django_filters.CharFilter(label="Recherche", method="search", widget=forms.TextInput(attrs={"type": "search"}))
    axis = django_filters.ModelChoiceFilter(label="Axe", field_name="objective__axis", queryset=Axis.objects.none())
    objective = django_filters.ModelChoiceFilter(
        label="Objectif", method="in_objective", queryset=Objective.objects.none()
    )
    pilot_service = django_filters.ModelChoiceFilter(label="Service pilote", queryset=Service.objects.all())
    status = django_filters.ChoiceFilter(label="Statut", choices=ActionStatus.choices, empty_label="Tous")
    territory = django_filters.ModelChoiceFilter(
        label="Quartier", field_name="territories", queryset=Territory.objects.filter(kind=TerritoryKind.DISTRICT)
    )
    public = django_filters.ModelChoiceFilter(
        label="Public", field_name="publics", queryset=TargetPublic.objects.all()
    )
    late = django_filters.BooleanFilter(label="En retard", method="only_late", widget=forms.CheckboxInput)
    without_news = django_filters.BooleanFilter(
        label="Sans nouvelles", method="only_without_news", widget=forms.CheckboxInput
    )
    archived = django_filters.BooleanFilter(label="Archivées", method="only_archived", widget=forms.CheckboxInput)
    # The bilan campaign's filters, which the dashboard's figures link to.
    year = django_filters.ChoiceFilter(label="Année de campagne", method="in_campaign_year", empty_label="Toutes")
    missing = django_filters.ChoiceFilter(
        label="Suivi de campagne", choices=MISSING_CHOICES, method="missing_in_year", empty_label="Indifférent"
    )
    funder = django_filters.ChoiceFilter(
        label="Financeur", choices=Funder.choices, method="funded_by", empty_label="Tous"
    )
    sort = django_filters.ChoiceFilter(
        label="Trier par",
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        method="sort_by",
        empty_label=None,
    )

    class Meta:
        model = Action
        fields = []

    def __init__(self, data=None, *args, convention: Convention, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["axis"].queryset = convention.axes.all()
        self.filters["objective"].queryset = Objective.objects.filter(axis__convention=convention)
        self.filters["year"].extra["choices"] = [(year, str(year)) for year in convention.years]
        for name in ("axis", "objective", "pilot_service", "territory", "public"):
            self.filters[name].extra["empty_label"] = "Tous"

    @property
    def qs(self):
        queryset = super().qs
        cleaned = self.form.cleaned_data  # always bound: the view passes request.GET
        if not cleaned.get("archived"):
            queryset = queryset.active()
        if not cleaned.get("sort"):
            queryset = queryset.order_by("code")
        # No DISTINCT (which made the database compare whole annotated rows): no filter can repeat an
        # action. The only joins to many rows are the single-choice territory and public, and Django's
        # through tables hold each (action, territory) or (action, public) pair once.
        return queryset

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value)
            | Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(pilot_name__icontains=value)
        )

    def in_objective(self, queryset, name, value):
        """An objective also matches the actions of its operational sub-objectives."""
        return queryset.filter(Q(objective=value) | Q(objective__parent=value))

    def only_late(self, queryset, name, value):
        return queryset.late() if value else queryset

    def only_without_news(self, queryset, name, value):
        return queryset.without_news() if value else queryset

    def only_archived(self, queryset, name, value):
        return queryset.filter(archived_at__isnull=False) if value else queryset

    @property
    def campaign_year(self) -> int | None:
        """The chosen year, one of the convention's (the form checked it), as a number."""
        year = self.form.cleaned_data.get("year")
        return int(year) if year else None

    def in_campaign_year(self, queryset, name, value):
        """The actions the bilan campaign of that year asks about (their calendar overlaps it)."""
        return queryset.in_year(int(value))

    def missing_in_year(self, queryset, name, value):
        """What the campaign of the chosen year still waits for; meaningless (ignored) without a year."""
        year = self.campaign_year
        if year is None:
            return queryset
        return queryset.missing_update(year) if value == "update" else queryset.missing_actual(year)

    def funded_by(self, queryset, name, value):
        """Actions with budget lines of that funder (in the chosen year, when there is one)."""
        return queryset.funded_by(value, self.campaign_year)

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1])
