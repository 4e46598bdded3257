"""Demo indicators of the fiches actions (fictional figures): one or two per action, each with a baseline in
the convention's first year, a target for each following year on a straight line to the final one, and a
value for each year up to today's, entered by the pilot service's head.

The `pace` of an indicator says how its values follow the targets: "ahead" reaches the final target early,
"on_track" follows the trajectory, "late" covers about half the way (status « en retard »), "stalled" hardly
moves. `missing` leaves the current year without a value (the campaign is not over). The context
indicators of the diagnostic are seeded elsewhere (`evaluation.demo.context`).

Idempotent: indicators are found again by their code (`<action code>-I<n>`), targets by year; a value already
entered is never entered again (nor its history written twice).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from actions.models import Action
from ctg.models import Convention, User
from evaluation.enums import Direction, IndicatorKind, Period
from evaluation.models import Indicator, IndicatorTarget, Measurement
from evaluation.services import measurement_record

OUTPUT, RESULT, IMPACT, MEANS = IndicatorKind.OUTPUT, IndicatorKind.RESULT, IndicatorKind.IMPACT, IndicatorKind.MEANS
UP, DOWN, STABLE = Direction.UP, Direction.DOWN, Direction.STABLE
PACE = {"ahead": 1.15, "on_track": 1.04, "late": 0.5, "stalled": 0.15}

# action code: [(name, kind, unit, decimals, direction, baseline, final target, pace, missing this year,
#                source, calculation method)]
INDICATORS = {
    "FA1.1": [
        ("Places d'accueil collectif créées dans le quartier Palissy", OUTPUT, "places", 0, UP, 0, 40, "stalled",
         False, "Service petite enfance", "Places agréées par la PMI au 31 décembre."),
        ("Taux de couverture en accueil collectif du quartier Palissy", RESULT, "%", 1, UP, 38.5, 48, "late",
         True, "Caf du Val-de-Marne, service petite enfance",
         "Places d'accueil collectif pour 100 enfants de moins de 3 ans."),
    ],
    "FA1.2": [
        ("Demandes d'accueil enregistrées au guichet unique", OUTPUT, "demandes", 0, UP, 0, 400, "ahead", False,
         "Point Info Familles", "Demandes complètes enregistrées dans l'année."),
        ("Délai moyen de réponse aux familles", RESULT, "jours", 0, DOWN, 90, 45, "ahead", False,
         "Point Info Familles", "Du dépôt complet à la réponse de la commission, en moyenne."),
    ],
    "FA1.3": [
        ("Taux d'occupation financier des multi-accueils", RESULT, "%", 1, UP, 68, 75, "on_track", True,
         "Service petite enfance", "Heures facturées rapportées aux heures d'ouverture des 4 multi-accueils."),
    ],
    "FA1.4": [
        ("Ateliers d'éveil organisés par le Relais petite enfance", OUTPUT, "ateliers", 0, UP, 40, 80, "on_track",
         False, "Relais petite enfance", "Ateliers tenus dans l'année."),
        ("Assistantes maternelles venues au moins une fois", RESULT, "assistantes maternelles", 0, UP, 25, 45,
         "late", False, "Relais petite enfance", "Professionnelles différentes sur les feuilles d'émargement."),
    ],
    "FA1.5": [
        ("Enfants en situation de handicap accueillis en multi-accueil", RESULT, "enfants", 0, UP, 3, 10, "on_track",
         False, "Service petite enfance", "Enfants bénéficiaires de l'AEEH ou suivis par le CAMSP, au 31 décembre."),
        ("Professionnels formés à l'accueil inclusif", MEANS, "professionnels", 0, UP, 0, 40, "ahead", False,
         "Service petite enfance", "Agents ayant suivi la formation de deux jours."),
    ],
    "FA1.6": [
        ("Places réservées aux enfants de parents demandeurs d'emploi", OUTPUT, "places", 0, UP, 0, 8, "stalled",
         False, "Service petite enfance, France Travail", "Places à vocation d'insertion professionnelle."),
    ],
    "FA2.1": [
        ("Accueils de loisirs labellisés Plan mercredi", OUTPUT, "accueils", 0, UP, 0, 3, "ahead", False,
         "Service enfance-jeunesse", "Accueils du mercredi couverts par la charte qualité."),
    ],
    "FA2.2": [
        ("Semaines d'ouverture estivale des accueils de loisirs", OUTPUT, "semaines", 0, UP, 5, 8, "on_track", False,
         "Service enfance-jeunesse", "Semaines d'ouverture en juillet et en août."),
        ("Enfants accueillis en août", RESULT, "enfants", 0, UP, 120, 200, "ahead", True,
         "Service enfance-jeunesse", "Enfants différents inscrits au moins un jour en août."),
    ],
    "FA2.3": [
        ("Enfants en situation de handicap accueillis en accueil de loisirs", RESULT, "enfants", 0, UP, 6, 15,
         "on_track", False, "Service enfance-jeunesse", "Enfants accueillis avec un projet d'accueil individualisé."),
    ],
    "FA2.4": [
        ("Jeunes de 11 à 17 ans inscrits à l'espace jeunes", RESULT, "jeunes", 0, UP, 0, 150, "late", True,
         "Service enfance-jeunesse", "Adhérents de l'année."),
    ],
    "FA2.5": [
        ("Jeunes accompagnés par le PIJ vers un job d'été", RESULT, "jeunes", 0, UP, 45, 90, "on_track", False,
         "Point information jeunesse", "Jeunes reçus au moins deux fois entre mars et juin."),
        ("Formations BAFA financées", OUTPUT, "formations", 0, UP, 10, 25, "ahead", False,
         "Point information jeunesse", "Sessions de formation générale prises en charge."),
    ],
    "FA2.6": [
        ("Projets du conseil municipal des enfants et des jeunes réalisés", OUTPUT, "projets", 0, UP, 2, 6,
         "stalled", True, "Service enfance-jeunesse", "Projets votés et menés à terme dans l'année."),
    ],
    "FA3.1": [
        ("Familles différentes accueillies au lieu d'accueil enfants-parents", RESULT, "familles", 0, UP, 0, 120,
         "ahead", False, "Ludothèque", "Familles différentes venues au moins une fois (registre anonyme)."),
    ],
    "FA3.2": [
        ("Ateliers et conférences sur la parentalité", OUTPUT, "séances", 0, UP, 12, 24, "on_track", False,
         "Ludothèque et parentalité", "Séances tenues dans l'année."),
        ("Parents ayant participé", RESULT, "parents", 0, UP, 150, 300, "late", False,
         "Ludothèque et parentalité", "Parents différents sur les feuilles d'émargement."),
    ],
    "FA3.3": [
        ("Élèves accompagnés par le CLAS", RESULT, "élèves", 0, UP, 40, 70, "on_track", False,
         "Ludothèque et parentalité", "Élèves inscrits au 1er décembre."),
        ("Part des familles rencontrées au moins deux fois dans l'année", RESULT, "%", 0, UP, 55, 80, "late", True,
         "Ludothèque et parentalité", "Familles rencontrées deux fois ou plus, sur les familles des élèves inscrits."),
    ],
    "FA3.4": [
        ("Familles monoparentales accompagnées", RESULT, "familles", 0, UP, 0, 50, "stalled", True,
         "Ludothèque et parentalité", "Familles suivies au moins trois mois."),
    ],
    "FA4.1": [
        ("Permanences CAF tenues à la Maison des Solidarités", OUTPUT, "permanences", 0, UP, 40, 46, "on_track",
         False, "CCAS", "Demi-journées de permanence assurées."),
        ("Personnes reçues en permanence CAF", RESULT, "personnes", 0, UP, 600, 800, "ahead", True,
         "CCAS, Caf du Val-de-Marne", "Entretiens tenus, d'après le registre des permanences."),
    ],
    "FA4.2": [
        ("Agents d'accueil formés au relais d'accès aux droits", MEANS, "agents", 0, UP, 0, 30, "on_track", False,
         "CCAS", "Agents ayant suivi le module « premier accueil social »."),
    ],
    "FA4.3": [
        ("Participants aux ateliers numériques", RESULT, "participants", 0, UP, 80, 200, "on_track", False,
         "CCAS, Joinville Numérique Solidaire", "Personnes différentes inscrites à au moins un atelier."),
        ("Participants autonomes pour leurs démarches en ligne à l'issue des ateliers", IMPACT, "%", 0, UP, 35, 60,
         "late", True, "Questionnaire de fin de parcours",
         "Part des répondants qui déclarent faire seuls leurs démarches."),
    ],
    "FA4.4": [
        ("Signalements de non-décence transmis à la CAF", OUTPUT, "signalements", 0, UP, 5, 40, "stalled", False,
         "CCAS", "Signalements instruits et transmis dans l'année."),
    ],
    "FA4.5": [
        ("Ménages en impayé de loyer accompagnés avant l'assignation", RESULT, "ménages", 0, UP, 30, 60, "on_track",
         False, "CCAS, ADIL 94", "Ménages suivis avant l'assignation en justice."),
        ("Expulsions locatives avec concours de la force publique", IMPACT, "expulsions", 0, DOWN, 14, 6, "late",
         False, "Préfecture du Val-de-Marne (CCAPEX)", "Expulsions exécutées dans l'année sur la commune."),
    ],
    "FA5.1": [
        ("Habitants consultés pour l'étude de faisabilité", OUTPUT, "habitants", 0, UP, 0, 300, "on_track", True,
         "Mission coopération CTG", "Questionnaires et participants aux ateliers de l'étude."),
    ],
    "FA5.2": [
        ("Événements intergénérationnels organisés", OUTPUT, "événements", 0, UP, 2, 8, "ahead", False,
         "Mission coopération CTG", "Événements tenus dans l'année."),
        ("Participants aux événements intergénérationnels", RESULT, "participants", 0, UP, 120, 400, "on_track",
         False, "Mission coopération CTG", "Estimation des organisateurs."),
    ],
    "FA5.3": [
        ("Habitants membres du comité de suivi de la CTG", OUTPUT, "habitants", 0, UP, 0, 12, "stalled", True,
         "Mission coopération CTG", "Membres habitants du comité au 31 décembre."),
    ],
    "FA5.4": [
        ("Indicateurs de la CTG renseignés dans l'année", MEANS, "%", 0, UP, 20, 90, "on_track", True,
         "Pilote CTG", "Indicateurs des fiches actions ayant une valeur de l'année, sur l'ensemble."),
    ],
    "FA5.5": [
        ("Réunions du COPIL et du COTECH tenues", OUTPUT, "réunions", 0, STABLE, 6, 6, "on_track", False,
         "Mission coopération CTG", "Comités tenus dans l'année."),
        ("Taux de présence des partenaires aux comités", RESULT, "%", 0, UP, 60, 75, "late", False,
         "Mission coopération CTG", "Partenaires présents sur partenaires invités, en moyenne."),
    ],
}  # fmt: skip

# One correction, so that the history of a demo indicator shows who changed a value: the value of the
# convention's third year was first entered 20 short, then corrected by the coordination a week later.
CORRECTED = ("FA1.2-I1", 2)
MISCOUNT = Decimal(20)


def demo_value(baseline: float, target: float, share: float, pace: str, wobble: int, decimals: int) -> Decimal:
    """The value once `share` of the convention has run, at the indicator's `pace`, slightly uneven."""
    progress = min(share * PACE[pace] + (0.05 if pace == "ahead" and share else 0), 1.0)
    value = baseline + (target - baseline) * progress
    if 0 < progress < 1:
        value += abs(target - baseline) * 0.015 * (wobble % 3 - 1)
    return round(Decimal(str(max(value, 0))), decimals)


def recorded_on(year: int, today: date) -> datetime:
    """Values are entered in the January after their year; the current year's, a few days ago."""
    day = min(date(year + 1, 1, 20), today - timedelta(days=10))
    return timezone.make_aware(datetime.combine(day, time(9, 30)))


def dated(records, when: datetime, user: User) -> None:
    """Date history records (written now by the seeding) when the demo says they happened."""
    records.update(history_date=when, history_user=user)


def seed(*, convention: Convention, users: dict[str, User], today: date) -> None:
    actions = {action.code: action for action in Action.objects.of_convention(convention)}
    heads = {user.service_id: user for user in users.values() if user.is_service_head}
    coordination = users["coordination"]
    years = list(convention.years)
    defined_at = timezone.make_aware(datetime.combine(convention.start_date + timedelta(days=45), time(11, 0)))
    for code, rows in INDICATORS.items():
        action = actions.get(code)
        if action is None:
            continue
        author = heads.get(action.pilot_service_id, coordination)
        for number, row in enumerate(rows, start=1):
            indicator = define(convention, action, f"{code}-I{number}", row, years, defined_at, coordination)
            measure(indicator, action, row, years, today, author, coordination)


def define(convention, action, code: str, row: tuple, years: list[int], at: datetime, by: User) -> Indicator:
    name, kind, unit, decimals, direction, baseline, target, pace, missing, source, method = row
    first, last = years[0], years[-1]
    indicator, created = Indicator.objects.get_or_create(
        convention=convention,
        code=code,
        defaults={
            "name": name,
            "kind": kind,
            "unit": unit,
            "decimals": decimals,
            "direction": direction,
            "source": source,
            "method": method,
            "action": action,
            "baseline_value": Decimal(str(baseline)),
            "baseline_year": first,
            "min_value": Decimal(0),
            "max_value": Decimal(100) if unit == "%" else None,
        },
    )
    if created:
        dated(indicator.history.all(), at, by)
    for year in years[1:]:
        goal = round(Decimal(str(baseline + (target - baseline) * (year - first) / (last - first))), decimals)
        target_row, created = IndicatorTarget.objects.get_or_create(
            indicator=indicator, year=year, defaults={"value": goal}
        )
        if created:
            dated(target_row.history.all(), at, by)
    return indicator


def measure(indicator, action, row: tuple, years: list[int], today: date, author: User, coordination: User) -> None:
    """Enter the values not entered yet, as the pilot service's head did each January."""
    baseline, target, pace, missing = row[5], row[6], row[7], row[8]
    decimals = indicator.decimals
    first, last = years[0], years[-1]
    started = action.start_date.year if action.start_date else first
    stored = set(indicator.measurements.filter(period=Period.YEAR).values_list("year", flat=True))
    for year in range(first, today.year + 1):
        if year in stored or year not in years or (missing and year == today.year):
            continue
        if first < year < started:  # nothing to measure before the action began
            continue
        value = demo_value(
            baseline, target, (year - first) / (last - first), pace, year + len(indicator.name), decimals
        )
        comment = "Valeur consolidée au 31 décembre." if year < today.year else "Valeur provisoire."
        at = recorded_on(year, today)
        if (indicator.code, year - first) == CORRECTED:
            measurement = measurement_record(indicator=indicator, year=year, value=value - MISCOUNT, by=author)
            dated(measurement.history.all(), at, author)
            at += timedelta(days=7)
            measurement = measurement_record(
                indicator=indicator, year=year, value=value, by=coordination, comment=comment
            )
            dated(measurement.history.filter(history_user__isnull=True), at, coordination)
        else:
            measurement = measurement_record(indicator=indicator, year=year, value=value, by=author, comment=comment)
            dated(measurement.history.all(), at, author)
        Measurement.objects.filter(pk=measurement.pk).update(recorded_at=at)
