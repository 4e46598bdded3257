"""Demo evaluations of actions for the year just ended (fictional), found again by (action, type, year)."""

from datetime import date

from actions.models import Action
from ctg.models import Convention, User
from evaluation.enums import CRITERIA, AssessmentKind, Recommendation
from evaluation.models import Assessment

# Justifications by criterion and rating (4: très satisfaisant … 1: insatisfaisant).
NOTES = {
    "relevance": {
        4: "Répond directement à un besoin fort relevé par le diagnostic partagé.",
        3: "Répond au besoin repéré, pour une partie du public visé.",
        2: "Le besoin a évolué depuis le diagnostic ; l'action n'y répond plus qu'en partie.",
        1: "Le besoin initial n'est plus confirmé par les données récentes.",
    },
    "coherence": {
        4: "Bien articulée avec le PEDT et les autres actions de l'axe ; partenaires mobilisés.",
        3: "Articulation correcte avec les dispositifs existants, quelques doublons à lever.",
        2: "Peu de liens avec les autres actions de l'axe ; partenaires peu associés.",
        1: "Chevauche un dispositif départemental existant.",
    },
    "effectiveness": {
        4: "Objectifs de l'année atteints ou dépassés.",
        3: "La plupart des objectifs de l'année sont atteints.",
        2: "Objectifs atteints en partie seulement ; retards dans la mise en œuvre.",
        1: "Les résultats attendus ne sont pas au rendez-vous.",
    },
    "efficiency": {
        4: "Coût par bénéficiaire maîtrisé, cofinancements CAF mobilisés.",
        3: "Moyens globalement proportionnés aux résultats.",
        2: "Moyens humains importants au regard de la fréquentation.",
        1: "Coût élevé pour un nombre de bénéficiaires limité.",
    },
    "impact": {
        4: "Effets visibles pour les familles, relevés par l'enquête de satisfaction.",
        3: "Premiers effets positifs constatés par les professionnels.",
        2: "Effets encore difficiles à mesurer.",
        1: "Pas d'effet observable sur le public visé.",
    },
    "sustainability": {
        4: "Financement pérenne et portage assuré par le service.",
        3: "Portage assuré ; financement à consolider au-delà de la CTG.",
        2: "Dépend d'un financement ponctuel ou d'une seule personne.",
        1: "Pas de solution de portage après la CTG.",
    },
}

# action code, ratings in the order of CRITERIA (None: non évalué), recommendation, its details.
ASSESSMENTS = [
    ("FA1.1", (4, 4, 2, 2, None, 3), Recommendation.CONTINUE, "Poursuivre en sécurisant le calendrier du chantier."),
    ("FA1.2", (4, 3, 4, 4, 3, 4), Recommendation.PERPETUATE, "Inscrire le guichet unique dans l'organisation du PIF."),
    ("FA1.3", (3, 3, 3, 3, 3, 3), Recommendation.CONTINUE, "Maintenir le suivi mensuel des taux d'occupation."),
    ("FA1.4", (3, 4, 3, 3, 3, 3), Recommendation.CONTINUE, "Ouvrir un atelier supplémentaire le samedi."),
    ("FA2.1", (4, 4, 4, 3, 3, 4), Recommendation.PERPETUATE, "Label obtenu : reconduire le PEDT dans la future CTG."),
    ("FA2.2", (3, 3, 2, 2, 2, 2), Recommendation.ADAPT, "Adapter les horaires d'été aux besoins des familles."),
    ("FA2.4", (4, 3, 2, 2, None, 2), Recommendation.ADAPT, "Revoir le projet du local avec les jeunes du CMEJ."),
    ("FA3.1", (4, 4, 3, 3, 3, 3), Recommendation.CONTINUE, "Ajouter une troisième demi-journée d'accueil."),
    ("FA3.2", (3, 3, 3, 2, 2, 2), Recommendation.ADAPT, "Proposer les conférences en soirée et en ligne."),
    ("FA4.1", (4, 3, 4, 4, 3, 4), Recommendation.PERPETUATE, "Pérenniser la permanence avec la CAF."),
    ("FA5.2", (2, 2, 2, 1, 1, 1), Recommendation.STOP, "Arrêter sous cette forme ; intégrer au projet de l'EVS."),
]


def seed(*, convention: Convention, users: dict[str, User], today: date) -> None:
    """The annual evaluations of the year just ended, created when missing (never overwritten)."""
    year = today.year - 1
    if year not in convention.years:
        return
    actions = {action.code: action for action in Action.objects.of_convention(convention)}
    author = users.get("coordination")
    for code, ratings, recommendation, details in ASSESSMENTS:
        action = actions.get(code)
        if action is None or Assessment.objects.filter(action=action, kind=AssessmentKind.ANNUAL, year=year).exists():
            continue
        assessment = Assessment(
            action=action,
            kind=AssessmentKind.ANNUAL,
            year=year,
            recommendation=recommendation,
            recommendation_note=details,
            author=author,
        )
        for (name, _), rating in zip(CRITERIA, ratings, strict=True):
            setattr(assessment, name, rating)
            setattr(assessment, f"{name}_note", NOTES[name][rating] if rating else "")
        assessment._history_user = author
        assessment.full_clean()
        assessment.save()
