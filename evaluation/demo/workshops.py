"""Four demo workshops and concertations (fictional), found again by their topic."""

from datetime import date, timedelta

from actions.models import Action
from ctg.models import Convention, User
from evaluation.enums import WorkshopKind
from evaluation.models import Workshop

# topic, kind, days before today, place, axis codes, action codes, inhabitants, professionals, outcomes,
# proposals (one a line).
WORKSHOPS = [
    (
        "Atelier parents – rythmes de l'enfant",
        WorkshopKind.WORKSHOP,
        45,
        "Ludothèque municipale",
        ["A3"],
        ["FA3.1", "FA3.2"],
        18,
        4,
        "Les parents de jeunes enfants disent manquer de repères sur le sommeil et les écrans. Ils apprécient le "
        "format en petit groupe avec une psychologue de la PMI, et l'accueil des enfants pendant l'atelier.",
        "Proposer les ateliers le samedi matin pour les parents qui travaillent\n"
        "Un cycle « premiers mois » avec la PMI dès la sortie de maternité\n"
        "Une garde d'enfants sur place à chaque atelier",
    ),
    (
        "Réunion publique – projet de multi-accueil Palissy",
        WorkshopKind.PUBLIC_MEETING,
        160,
        "École élémentaire Palissy, préau",
        ["A1"],
        ["FA1.1", "FA1.2"],
        46,
        7,
        "Forte attente des familles du quartier ; inquiétudes sur le stationnement et les horaires d'ouverture. "
        "Le calendrier du chantier et les critères d'attribution des places ont été présentés.",
        "Ouvrir le multi-accueil jusqu'à 19 h pour les parents aux horaires décalés\n"
        "Réserver des places aux familles du quartier et aux parents en insertion\n"
        "Associer un comité de parents au fonctionnement de l'équipement",
    ),
    (
        "Forum jeunesse – CMEJ",
        WorkshopKind.FORUM,
        300,
        "Espace jeunes",
        ["A2"],
        ["FA2.4", "FA2.6"],
        64,
        9,
        "Les jeunes du conseil municipal des enfants et des jeunes ont présenté leurs projets ; les 11–17 ans "
        "demandent un lieu ouvert le soir et des activités sportives gratuites l'été.",
        "Un budget participatif jeunes reconduit chaque année\n"
        "Ouvrir l'espace jeunes deux soirs par semaine jusqu'à 20 h\n"
        "Des stages sportifs gratuits pendant les vacances d'été",
    ),
    (
        "Concertation – espace de vie sociale",
        WorkshopKind.CONSULTATION,
        430,
        "Maison des associations",
        ["A5"],
        ["FA5.1", "FA5.2"],
        31,
        12,
        "Habitants et associations soutiennent un lieu de rencontre de proximité ; le portage associatif est "
        "préféré. Les besoins exprimés : accueil des familles, sorties, entraide numérique.",
        "Créer un espace de vie sociale porté par une association, avec l'agrément de la CAF\n"
        "Un comité d'habitants pour en définir le projet social\n"
        "Des permanences d'entraide numérique dans le futur lieu",
    ),
]


def seed(*, convention: Convention, users: dict[str, User], today: date) -> None:
    """Create the workshops that are missing (those present are left as the coordination may have edited them)."""
    axes = {axis.code: axis for axis in convention.axes.all()}
    actions = {action.code: action for action in Action.objects.of_convention(convention)}
    for (
        topic,
        kind,
        days,
        place,
        axis_codes,
        action_codes,
        inhabitants,
        professionals,
        outcomes,
        proposals,
    ) in WORKSHOPS:
        if Workshop.objects.filter(convention=convention, topic=topic).exists():
            continue
        workshop = Workshop(
            convention=convention,
            held_on=today - timedelta(days=days),
            kind=kind,
            topic=topic,
            place=place,
            inhabitants=inhabitants,
            professionals=professionals,
            outcomes=outcomes,
            proposals=proposals,
        )
        workshop._history_user = users.get("coordination")
        workshop.save()
        workshop.axes.set([axes[code] for code in axis_codes if code in axes])
        workshop.actions.set([actions[code] for code in action_codes if code in actions])
