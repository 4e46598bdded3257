from calendar import monthrange
from contextlib import suppress
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, Length, Round, Substr
from django.db.models.lookups import Exact, In
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ctg.enums import TerritoryKind
from ctg.models import END_BEFORE_START, Territory
from partners.documents import document_path, validate_document
from partners.enums import AgreementKind, FacilityKind, FundingFunder, FundingScheme, FundingStage, PartnerKind
from partners.validators import SIRET_NOT_14_DIGITS, normalise_phone, validate_phone, validate_siret

EMAIL_INVALID = "Saisissez une adresse électronique valide, par exemple « prenom.nom@example.org »."
DEFAULT_PURPOSE = (
    "Coordination de la Convention territoriale globale : invitations aux instances (COPIL, COTECH, groupes de "
    "travail), suivi des actions menées avec ce partenaire et échanges sur le bilan annuel."
)
# A contact not checked for longer than this is flagged "à vérifier" on its partner's page.
CHECK_EVERY_MONTHS = 12


def siret_is_empty_or_14_digits() -> Q:
    """The database's own check of a SIRET's shape (its key is checked by the model's validator): written with
    LENGTH, SUBSTR and IN, which SQLite and PostgreSQL both know, rather than a regular expression; IN compares
    each character for equality, whatever the database's collation."""
    digits = [In(Substr("siret", position, 1), list("0123456789")) for position in range(1, 15)]
    return Q(siret="") | Q(Exact(Length("siret"), 14), *digits)


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when that day does not exist in it)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


class Partner(models.Model):
    name = models.CharField("nom", max_length=200, unique=True)
    kind = models.CharField("type", max_length=20, choices=PartnerKind.choices)
    siret = models.CharField(
        "SIRET",
        max_length=14,
        blank=True,
        validators=[validate_siret],
        help_text="14 chiffres, espaces acceptés ; facultatif.",
    )
    address = models.TextField("adresse", blank=True)
    website = models.URLField("site internet", blank=True)
    territories = models.ManyToManyField(
        Territory,
        verbose_name="territoires d'intervention",
        related_name="partners",
        blank=True,
    )
    notes = models.TextField("notes", blank=True)

    class Meta:
        verbose_name = "partenaire"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=siret_is_empty_or_14_digits(),
                name="partner_siret_empty_or_14_digits",
                violation_error_message=SIRET_NOT_14_DIGITS,
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partners:detail", args=[self.pk])


class ContactQuerySet(models.QuerySet):
    def with_check_due(self, today: date | None = None):
        """`check_due`: the contact was last checked more than `CHECK_EVERY_MONTHS` months ago."""
        cutoff = months_before(today or timezone.localdate(), CHECK_EVERY_MONTHS)
        return self.annotate(
            check_due=models.ExpressionWrapper(Q(checked_at__lt=cutoff), output_field=models.BooleanField())
        )


class Contact(models.Model):
    """A person to reach at a partner: personal data (RGPD), kept for a stated purpose, checked yearly,
    deleted with its partner."""

    partner = models.ForeignKey(Partner, verbose_name="partenaire", on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField("nom", max_length=150, help_text="Prénom et nom.")
    function = models.CharField("fonction", max_length=150, blank=True)
    email = models.EmailField("adresse électronique", blank=True, error_messages={"invalid": EMAIL_INVALID})
    phone = models.CharField(
        "téléphone",
        # Stored as "01 23 45 67 89"; room for "+33 (0)1 23 45 67 89" as typed, before `clean()` normalises it.
        max_length=25,
        blank=True,
        validators=[validate_phone],
        help_text="Par exemple : 01 23 45 67 89 ou +33 1 23 45 67 89.",
    )
    purpose = models.TextField(
        "finalité",
        default=DEFAULT_PURPOSE,
        help_text="Pourquoi ces coordonnées sont conservées (RGPD) : elle est rappelée à côté du contact.",
    )
    checked_at = models.DateField("vérifié le", default=timezone.localdate)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = ContactQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "contact"
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def save(self, *args, update_fields=None, **kwargs):
        # An edit saves only its form's fields (`ctg.views.helpers.save_owned_fields`): the date of the change too.
        if update_fields is not None:
            update_fields = {*update_fields, "updated_at"}
        super().save(*args, update_fields=update_fields, **kwargs)

    def clean(self):
        """Store the phone number in one form, however it was typed (the field's validator says when it is not a
        number)."""
        if self.phone:
            with suppress(ValidationError):
                self.phone = normalise_phone(self.phone)

    @property
    def tel_uri(self) -> str:
        """The number for a `tel:` link, in the international form phones dial from anywhere."""
        return "+33" + self.phone.replace(" ", "")[1:] if self.phone else ""


# --- Agreements -------------------------------------------------------------------------------------------

RENEWAL_HORIZON_DAYS = 120  # default of the AGREEMENT_RENEWAL_HORIZON_DAYS setting
RENEWAL_HORIZON_MIN, RENEWAL_HORIZON_MAX = 30, 730
NOTICE_MAX_MONTHS = 24
AMOUNT_NEGATIVE = "Un montant ne peut pas être négatif."
NOTICE_TOO_LONG = f"Le préavis compte au plus {NOTICE_MAX_MONTHS} mois."


def renewal_horizon_days(value: str | int | None = None) -> int:
    """The renewal horizon in days: `value` (a `?horizon=` parameter) when it is a number, kept within 30–730
    days; else the `AGREEMENT_RENEWAL_HORIZON_DAYS` setting (120 days by default)."""
    default = getattr(settings, "AGREEMENT_RENEWAL_HORIZON_DAYS", RENEWAL_HORIZON_DAYS)
    text = str(value) if value is not None else ""
    days = int(text) if text.isascii() and text.isdecimal() and len(text) <= 6 else default
    return max(RENEWAL_HORIZON_MIN, min(RENEWAL_HORIZON_MAX, days))


def months_after(day: date, months: int) -> date:
    return months_before(day, -months)


def latest_end_for_notice(limit: date, months: int) -> date:
    """The latest end date whose notice deadline (`months_before(end, months)`) is on or before `limit`. The
    deadline grows with the end date but stalls at the ends of months (31 March − 1 month = 28 February), hence
    the few steps past `months_after(limit, months)`."""
    end = months_after(limit, months)
    while months_before(end + timedelta(days=1), months) <= limit:
        end += timedelta(days=1)
    return end


class AgreementQuerySet(models.QuerySet):
    def _renewal_due(self, today: date, horizon_days: int) -> Q:
        """Still running, and its end date or its notice deadline (end − préavis) falls within the horizon. The
        préavis is at most `NOTICE_MAX_MONTHS`: one term per possible value keeps the date arithmetic in Python,
        the same on SQLite and PostgreSQL."""
        limit = today + timedelta(days=horizon_days)
        by_notice = [
            Q(notice_months=months, end_date__lte=latest_end_for_notice(limit, months))
            for months in range(1, NOTICE_MAX_MONTHS + 1)
        ]
        return Q(end_date__gte=today) & reduce(or_, by_notice, Q(end_date__lte=limit))

    def to_renew(self, today: date, horizon_days: int):
        """The agreements to renew: running, ending or reaching their notice deadline within `horizon_days`
        days of `today` (the dashboard calls this)."""
        return self.filter(self._renewal_due(today, horizon_days))

    def with_renewal_due(self, today: date, horizon_days: int):
        """`renewal_due`: the agreement is one of `to_renew(today, horizon_days)`."""
        return self.annotate(
            renewal_due=models.ExpressionWrapper(
                self._renewal_due(today, horizon_days), output_field=models.BooleanField()
            )
        )


class Agreement(models.Model):
    """A convention de partenariat, CPO, contrat de DSP or subvention with a partner, and its signed document
    (stored privately: see `partners.documents`)."""

    partner = models.ForeignKey(
        Partner, verbose_name="partenaire", on_delete=models.PROTECT, related_name="agreements"
    )
    kind = models.CharField("type", max_length=20, choices=AgreementKind.choices)
    reference = models.CharField(
        "référence",
        max_length=60,
        blank=True,
        help_text="Numéro de la convention ou de la délibération qui l'approuve ; facultatif.",
    )
    title = models.CharField("intitulé", max_length=200)
    start_date = models.DateField("début")
    end_date = models.DateField("fin")
    annual_amount = models.DecimalField(
        "montant annuel (€)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, AMOUNT_NEGATIVE)],
        help_text="Facultatif : la somme versée ou reçue chaque année au titre de cette convention.",
    )
    notice_months = models.PositiveSmallIntegerField(
        "préavis (mois)",
        default=0,
        validators=[MaxValueValidator(NOTICE_MAX_MONTHS, NOTICE_TOO_LONG)],
        help_text="Délai pour dénoncer ou renégocier la convention avant sa fin (0 s'il n'y en a pas).",
    )
    actions = models.ManyToManyField(
        "actions.Action", verbose_name="fiches actions liées", related_name="agreements", blank=True
    )
    notes = models.TextField("notes", blank=True)
    document = models.FileField(
        "document signé",
        upload_to=document_path,
        max_length=255,
        blank=True,
        validators=[validate_document],
        help_text="PDF ou document bureautique (.pdf, .odt, .ods, .doc, .docx, .xls, .xlsx), 10 Mo au plus. "
        "Seules la coordination, la direction et les élus peuvent le télécharger.",
    )

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "convention de partenariat"
        verbose_name_plural = "conventions de partenariat"
        ordering = ["end_date", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="agreement_end_after_start",
                violation_error_message=END_BEFORE_START,
            ),
            models.CheckConstraint(
                condition=Q(annual_amount__isnull=True) | Q(annual_amount__gte=0),
                name="agreement_annual_amount_not_negative",
                violation_error_message=AMOUNT_NEGATIVE,
            ),
            models.CheckConstraint(
                condition=Q(notice_months__gte=0, notice_months__lte=NOTICE_MAX_MONTHS),
                name="agreement_notice_months_range",
                violation_error_message=NOTICE_TOO_LONG,
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("partners:agreement_detail", args=[self.pk])

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": END_BEFORE_START})

    @property
    def notice_deadline(self) -> date:
        """The last day to give notice: the end date less the préavis."""
        return months_before(self.end_date, self.notice_months)

    @property
    def document_name(self) -> str:
        return self.document.name.rsplit("/", 1)[-1] if self.document else ""


# --- Facilities and their funding -------------------------------------------------------------------------

FACILITY_NAME_TAKEN = "Un équipement porte déjà ce nom."
CAPACITY_NEGATIVE = "La capacité ne peut pas être négative."


class Facility(models.Model):
    """An équipement of the territory (EAJE, ALSH, RPE…), run by a partner or by the commune itself."""

    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=20, choices=FacilityKind.choices)
    capacity = models.PositiveIntegerField(
        "capacité (places)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0, CAPACITY_NEGATIVE)],
        help_text="Nombre de places agréées ; facultatif.",
    )
    manager = models.ForeignKey(
        Partner,
        verbose_name="gestionnaire",
        on_delete=models.PROTECT,
        related_name="facilities",
        null=True,
        blank=True,
        help_text="Le partenaire qui gère l'équipement ; laissez vide pour un équipement en régie municipale.",
    )
    district = models.ForeignKey(
        Territory,
        verbose_name="quartier",
        on_delete=models.SET_NULL,
        related_name="facilities",
        null=True,
        blank=True,
        limit_choices_to={"kind": TerritoryKind.DISTRICT},
    )
    address = models.TextField("adresse", blank=True)
    notes = models.TextField("notes", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "équipement"
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], name="facility_unique_name", violation_error_message=FACILITY_NAME_TAKEN
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=0),
                name="facility_capacity_not_negative",
                violation_error_message=CAPACITY_NEGATIVE,
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partners:facility_detail", args=[self.pk])


YEAR_MIN, YEAR_MAX = 2000, 2100
FUNDING_BASIS = (
    "Indiquez soit une quantité et un taux unitaire, soit un montant forfaitaire : l'un ou l'autre, pas les deux."
)
FUNDING_RATE_MISSING = "Indiquez le taux unitaire qui s'applique à cette quantité."
FUNDING_QUANTITY_MISSING = "Indiquez la quantité à laquelle s'applique ce taux."
FUNDING_NEGATIVE = "Les quantités, taux et montants d'une ligne de financement ne peuvent pas être négatifs."
FUNDING_YEAR_RANGE = f"L'année doit être comprise entre {YEAR_MIN} et {YEAR_MAX}."
FUNDING_NOTIFIED_MISSING = "Une ligne « notifiée » indique le montant notifié."
FUNDING_PAID_MISSING = "Une ligne « versée » indique le montant versé."
AMOUNT_FIELDS = ("quantity", "unit_rate", "flat_amount", "planned", "notified", "paid")


def money(name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        name,
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, AMOUNT_NEGATIVE)],
        **kwargs,
    )


# The line's amount as computed from its basis: the flat amount, or the quantity times the unit rate.
COMPUTED_AMOUNT = Coalesce(
    F("flat_amount"),
    Round(F("quantity") * F("unit_rate"), 2),
    output_field=models.DecimalField(max_digits=14, decimal_places=2),
)


class FundingLineQuerySet(models.QuerySet):
    def with_amount(self):
        """`amount`: the flat amount, or the quantity times the unit rate (rounded to the cent)."""
        return self.annotate(amount=COMPUTED_AMOUNT)

    def totals_by(self, key: str):
        """One row per value of `key` ("year", "scheme"…): the number of lines and the sums of the computed,
        planned, notified and paid amounts, added up by the database."""
        return (
            self.order_by()
            .values(key)
            .annotate(
                lines=Count("pk"),
                computed=Sum(COMPUTED_AMOUNT),
                planned_total=Sum("planned"),
                notified_total=Sum("notified"),
                paid_total=Sum("paid"),
            )
            .order_by(key)
        )


class FundingLine(models.Model):
    """One year of one funding scheme for one facility (most often from the CAF), as quantity × unit rate or a
    flat amount, with what was planned, notified and paid."""

    facility = models.ForeignKey(
        Facility, verbose_name="équipement", on_delete=models.PROTECT, related_name="funding_lines"
    )
    year = models.PositiveSmallIntegerField(
        "année",
        validators=[MinValueValidator(YEAR_MIN, FUNDING_YEAR_RANGE), MaxValueValidator(YEAR_MAX, FUNDING_YEAR_RANGE)],
    )
    scheme = models.CharField("dispositif", max_length=30, choices=FundingScheme.choices)
    funder = models.CharField("financeur", max_length=20, choices=FundingFunder.choices, default=FundingFunder.CAF)
    quantity = models.DecimalField(
        "quantité",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, FUNDING_NEGATIVE)],
        help_text="Heures facturées, places, journées-enfants… : avec le taux unitaire, ou laissez vide pour un "
        "forfait.",
    )
    unit_rate = models.DecimalField(
        "taux unitaire (€)",
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, FUNDING_NEGATIVE)],
    )
    flat_amount = money("montant forfaitaire (€)", help_text="Ou un forfait, sans quantité ni taux.")
    stage = models.CharField("étape", max_length=20, choices=FundingStage.choices, default=FundingStage.PLANNED)
    planned = money("prévu (€)", help_text="Facultatif : sinon le montant calculé fait foi.")
    notified = money("notifié (€)")
    paid = money("versé (€)")
    comment = models.TextField("commentaire", blank=True)

    objects = FundingLineQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ligne de financement"
        verbose_name_plural = "lignes de financement"
        ordering = ["facility__name", "-year", "scheme", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__isnull=False, unit_rate__isnull=False, flat_amount__isnull=True)
                | Q(quantity__isnull=True, unit_rate__isnull=True, flat_amount__isnull=False),
                name="funding_line_quantity_rate_or_flat",
                violation_error_message=FUNDING_BASIS,
            ),
            models.CheckConstraint(
                condition=reduce(
                    lambda q, name: q & (Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0})), AMOUNT_FIELDS, Q()
                ),
                name="funding_line_amounts_not_negative",
                violation_error_message=FUNDING_NEGATIVE,
            ),
            models.CheckConstraint(
                condition=Q(year__gte=YEAR_MIN, year__lte=YEAR_MAX),
                name="funding_line_year_range",
                violation_error_message=FUNDING_YEAR_RANGE,
            ),
            models.CheckConstraint(
                condition=~Q(stage=FundingStage.NOTIFIED) | Q(notified__isnull=False),
                name="funding_line_notified_has_amount",
                violation_error_message=FUNDING_NOTIFIED_MISSING,
            ),
            models.CheckConstraint(
                condition=~Q(stage=FundingStage.PAID) | Q(paid__isnull=False),
                name="funding_line_paid_has_amount",
                violation_error_message=FUNDING_PAID_MISSING,
            ),
        ]

    def __str__(self):
        return f"{self.get_scheme_display()} {self.year}"

    def clean(self):
        """Each broken rule next to its field, before the database's constraints say it again."""
        errors = {}
        has_quantity, has_rate = self.quantity is not None, self.unit_rate is not None
        if has_quantity and not has_rate:
            errors["unit_rate"] = FUNDING_RATE_MISSING
        elif has_rate and not has_quantity:
            errors["quantity"] = FUNDING_QUANTITY_MISSING
        elif has_quantity == (self.flat_amount is not None):
            errors["flat_amount"] = FUNDING_BASIS
        if self.stage == FundingStage.NOTIFIED and self.notified is None:
            errors["notified"] = FUNDING_NOTIFIED_MISSING
        if self.stage == FundingStage.PAID and self.paid is None:
            errors["paid"] = FUNDING_PAID_MISSING
        if errors:
            raise ValidationError(errors)
