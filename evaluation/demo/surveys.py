"""Demo satisfaction surveys (fictional answers): last year's survey of the families using the accueils de
loisirs, closed with about sixty answers, and a survey of the ludothèque open today with a few answers.
Questions of every kind. Deterministic (a seeded `random.Random`) and idempotent: a survey found again by
its convention and title is left as it is."""

import hashlib
import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from actions.models import Action
from ctg.models import Convention, User
from evaluation.enums import QuestionKind
from evaluation.models import Answer, Question, Response, Survey
from evaluation.tallies import tallies_rebuild

SCALE, SINGLE, MULTIPLE, YES_NO, TEXT = (
    QuestionKind.SCALE,
    QuestionKind.SINGLE,
    QuestionKind.MULTIPLE,
    QuestionKind.YES_NO,
    QuestionKind.TEXT,
)

# Each question: (kind, text, required, choices, how answers spread). For a scale, the weights of 1…5; for a
# single choice or yes/no, the weights of its choices; for a multiple choice, the chance of each choice;
# for a free text, the chance of an answer. An optional question is left blank 20 % of the time.
ALSH_QUESTIONS = [
    (SCALE, "Dans l'ensemble, êtes-vous satisfait·e de l'accueil de loisirs ?", True, [], [2, 4, 9, 27, 18]),
    (SCALE, "Les horaires d'ouverture conviennent-ils à votre organisation ?", True, [], [3, 7, 14, 22, 14]),
    (
        SINGLE,
        "Quel accueil de loisirs votre enfant fréquente-t-il le plus ?",
        True,
        ["Centre de loisirs Polangis", "Centre de loisirs Palissy", "Centre de loisirs du Centre"],
        [5, 3, 4],
    ),
    (
        MULTIPLE,
        "Quelles activités votre enfant apprécie-t-il le plus ?",
        False,
        ["Sorties et visites", "Activités sportives", "Activités artistiques", "Jeux collectifs", "Nature et jardin"],
        [0.6, 0.5, 0.35, 0.45, 0.25],
    ),
    (YES_NO, "Votre enfant a-t-il fréquenté l'accueil de loisirs cet été ?", True, [], [7, 3]),
    (
        SCALE,
        "Comment jugez-vous l'information donnée aux familles (programmes, inscriptions) ?",
        False,
        [],
        [3, 6, 14, 20, 9],
    ),
    (TEXT, "Que faudrait-il améliorer en priorité ?", False, [], 0.45),
]

ALSH_TEXTS = [
    "Pouvoir inscrire les enfants plus tard, la semaine d'avant.",
    "Des sorties plus nombreuses l'été, c'était très apprécié.",
    "L'inscription en ligne est compliquée sur téléphone.",
    "Les animateurs sont à l'écoute, merci à l'équipe de Polangis.",
    "Ouvrir un peu plus tôt le matin, vers 7 h 30.",
    "Avoir le programme des activités au moins deux semaines à l'avance.",
    "Le goûter pourrait être plus varié.",
    "Mon fils en situation de handicap a été très bien accueilli, bravo.",
    "Plus d'activités en extérieur quand il fait beau.",
    "Les tarifs restent élevés pour les familles avec plusieurs enfants.",
    "Un temps d'échange avec les parents en fin de période serait utile.",
    "Rien à redire, ma fille est ravie.",
    "Prévoir des navettes entre les deux centres pendant les vacances.",
    "Être prévenu plus tôt quand une sortie est annulée.",
]

LUDO_QUESTIONS = [
    (SCALE, "Êtes-vous satisfait·e de l'accueil à la ludothèque ?", True, [], [1, 1, 2, 6, 6]),
    (
        SINGLE,
        "À quelle fréquence venez-vous ?",
        True,
        ["Chaque semaine", "Une ou deux fois par mois", "Plus rarement", "C'est ma première visite"],
        [3, 4, 2, 1],
    ),
    (
        MULTIPLE,
        "Qu'êtes-vous venu·e chercher ?",
        False,
        ["Jouer avec mon enfant", "Rencontrer d'autres parents", "Emprunter des jeux", "Parler avec l'accueillante"],
        [0.8, 0.5, 0.4, 0.3],
    ),
    (YES_NO, "Connaissez-vous le lieu d'accueil enfants-parents du jeudi matin ?", True, [], [3, 2]),
    (TEXT, "Une idée, une remarque ?", False, [], 0.5),
]

LUDO_TEXTS = [
    "Un créneau le samedi matin serait bienvenu.",
    "Très bon accueil, mon fils adore venir.",
    "Plus de jeux pour les tout-petits.",
    "Merci pour les soirées jeux en famille !",
]


def seed(*, convention: Convention, users: dict[str, User], today: date) -> None:
    last_year = today.year - 1
    alsh = _survey(
        convention,
        users.get("coordination"),
        title=f"Satisfaction des familles – accueils de loisirs {last_year}",
        introduction=(
            "La ville souhaite connaître votre avis sur les accueils de loisirs du mercredi et des vacances. "
            "Le questionnaire est anonyme et prend trois minutes."
        ),
        opens_on=date(last_year, 6, 16),
        closes_on=date(last_year, 9, 30),
        action_codes=["FA2.1", "FA2.2", "FA2.3"],
        questions=ALSH_QUESTIONS,
    )
    if alsh is not None:
        _answers(alsh, ALSH_QUESTIONS, ALSH_TEXTS, count=60, until=timezone.now(), rng=random.Random(2025))
    ludo = _survey(
        convention,
        users.get("coordination"),
        title="La ludothèque et son lieu d'accueil enfants-parents : votre avis",
        introduction="Aidez-nous à adapter les horaires et les animations de la ludothèque. Deux minutes, anonyme.",
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=20),
        action_codes=["FA3.1"],
        questions=LUDO_QUESTIONS,
    )
    if ludo is not None:
        _answers(ludo, LUDO_QUESTIONS, LUDO_TEXTS, count=6, until=timezone.now(), rng=random.Random(2026))


def _survey(convention, author, *, title, introduction, opens_on, closes_on, action_codes, questions) -> Survey | None:
    """The survey with its questions, or None when it is already there."""
    if Survey.objects.filter(convention=convention, title=title).exists():
        return None
    survey = Survey.objects.create(
        convention=convention,
        title=title,
        introduction=introduction,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=author,
    )
    survey.actions.set(Action.objects.of_convention(convention).filter(code__in=action_codes))
    Question.objects.bulk_create(
        Question(survey=survey, order=order, kind=kind, text=text, required=required, choices="\n".join(choices))
        for order, (kind, text, required, choices, _) in enumerate(questions, start=1)
    )
    return survey


def _answers(survey: Survey, spec: list, texts: list[str], *, count: int, until: datetime, rng: random.Random):
    """`count` responses spread over the survey's opening days (up to `until` for an open one)."""
    questions = list(survey.questions.order_by("order"))
    start = timezone.make_aware(datetime.combine(survey.opens_on, time(8)))
    end = min(until, timezone.make_aware(datetime.combine(survey.closes_on, time(21))))
    span = max(int((end - start).total_seconds()), 1)
    moments = sorted(start + timedelta(seconds=rng.randrange(span)) for _ in range(count))
    answers = []
    for number, submitted_at in enumerate(moments, start=1):
        response = Response.objects.create(
            survey=survey,
            submitted_at=submitted_at,
            client_hash=hashlib.sha256(f"demo-{survey.pk}-{number}".encode()).hexdigest(),
            nonce=f"demo-{survey.token}-{number}",
        )
        for question, (kind, _, required, choices, spread) in zip(questions, spec, strict=True):
            answers += _answer(response, question, kind, required, choices, spread, texts, rng)
    Answer.objects.bulk_create(answers)
    tallies_rebuild(survey_ids=[survey.pk])


def _answer(response, question, kind, required, choices, spread, texts, rng) -> list[Answer]:
    if not required and kind != TEXT and rng.random() < 0.2:
        return []
    if kind == SCALE:
        score = rng.choices(range(1, 6), weights=spread)[0]
        return [Answer(response=response, question=question, value=str(score), score=score)]
    if kind in (SINGLE, YES_NO):
        options = choices or ["Oui", "Non"]
        return [Answer(response=response, question=question, value=rng.choices(options, weights=spread)[0])]
    if kind == MULTIPLE:
        ticked = [choice for choice, chance in zip(choices, spread, strict=True) if rng.random() < chance]
        return [Answer(response=response, question=question, value=choice) for choice in ticked]
    if rng.random() < spread:
        return [Answer(response=response, question=question, value=rng.choice(texts))]
    return []
