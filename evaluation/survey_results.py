"""What a survey's answers add up to, read from the counts kept as responses arrive (`evaluation.tallies`),
in a fixed number of queries whatever the number of responses: per question, the people who answered it,
the count of each answer (the bars of its chart), the average and the share of 4 and 5 of a 1–5 scale, and
the latest free texts.

Also the survey's state (à venir, ouverte, close) and the raw table of the exports."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ctg.templatetags.french import NARROW_NBSP
from evaluation.enums import QuestionKind
from evaluation.forms.surveys import SCALE_LABELS, YES_NO
from evaluation.models import Answer, AnswerCount, Question, Response, Survey
from evaluation.numbers import format_decimal

# The free texts shown per question on the results page; the others are a click away, paginated.
TEXT_SAMPLE = 5
HIGH_SCORE = 4  # "satisfied": 4 or 5 out of 5
BAR_AREA = 70.0  # % of the chart's width for the longest bar; its count and share are written after it
# Vertical layout of a chart, in px: each answer is a row with its label above its bar.
ROW_HEIGHT = 42
LABEL_BASELINE = 15
BAR_TOP = 21
BAR_HEIGHT = 14
LABEL_CHARS = 40
MULTIPLE_SEPARATOR = " | "

ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class State:
    key: str
    label: str
    badge: str


UPCOMING = State("upcoming", "À venir", "to_start")
OPEN = State("open", "Ouverte", "in_progress")
CLOSED = State("closed", "Close", "neutral")


def state_of(survey: Survey, today: date | None = None) -> State:
    """À venir before its opening day, close after its closing day, ouverte in between (`Survey.is_open`)."""
    today = today or timezone.localdate()
    if survey.is_open(today):
        return OPEN
    return UPCOMING if today < survey.opens_on else CLOSED


def with_counts(surveys):
    """Annotate `response_count` and `question_count`, one subquery each (no join multiplying the rows)."""

    def count_of(model):
        rows = model.objects.filter(survey=OuterRef("pk")).order_by().values("survey").annotate(n=Count("pk"))
        return Coalesce(Subquery(rows.values("n")[:1]), Value(0))

    return surveys.annotate(response_count=count_of(Response), question_count=count_of(Question))


def share(part: int, whole: int) -> Decimal | None:
    """`part` as a percentage of `whole`, to one decimal; None when nobody answered."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def percent_text(value: Decimal | None) -> str:
    """83.3 → "83,3 %" (narrow no-break space), "–" for None."""
    return "–" if value is None else f"{format_decimal(value)}{NARROW_NBSP}%"


@dataclass
class Bar:
    label: str
    count: int
    share: Decimal | None  # % of the question's respondents
    width: float = 0.0  # % of the chart's width
    row: int = 0

    @property
    def short_label(self) -> str:
        """The label as the chart writes it: shortened past LABEL_CHARS (the table beside gives it in full)."""
        return self.label if len(self.label) <= LABEL_CHARS else self.label[: LABEL_CHARS - 1].rstrip() + "…"

    @property
    def share_text(self) -> str:
        return percent_text(self.share)

    @property
    def label_y(self) -> int:
        return self.row * ROW_HEIGHT + LABEL_BASELINE

    @property
    def bar_y(self) -> int:
        return self.row * ROW_HEIGHT + BAR_TOP

    @property
    def text_y(self) -> int:
        return self.bar_y + BAR_HEIGHT - 2


@dataclass
class QuestionResult:
    question: Question
    respondents: int = 0
    bars: list[Bar] = field(default_factory=list)
    average: Decimal | None = None
    high_count: int = 0
    texts: list[str] = field(default_factory=list)

    @property
    def high_share(self) -> Decimal | None:
        return share(self.high_count, self.respondents) if self.question.kind == QuestionKind.SCALE else None

    @property
    def high_share_text(self) -> str:
        return percent_text(self.high_share)

    @property
    def average_text(self) -> str:
        return "–" if self.average is None else format_decimal(self.average)

    @property
    def chart_height(self) -> int:
        return len(self.bars) * ROW_HEIGHT

    @property
    def more_texts(self) -> int:
        return max(0, self.respondents - len(self.texts))

    @property
    def chart_description(self) -> str:
        parts = [f"{bar.label} : {bar.count} ({bar.share_text})" for bar in self.bars]
        return f"{self.respondents} répondant·e·s. " + " ; ".join(parts) + "."


def expected_answers(question: Question) -> list[str]:
    """The answers a question offers, in their order (the scale's scores as "1"…"5")."""
    if question.kind == QuestionKind.SCALE:
        return [str(score) for score in SCALE_LABELS]
    if question.kind == QuestionKind.YES_NO:
        return list(YES_NO)
    return question.choice_list


def bar_label(question: Question, value: str, offered: set[str]) -> str:
    if question.kind == QuestionKind.SCALE:
        return f"{value} – {SCALE_LABELS[int(value)]}"
    return value if value in offered else f"{value} (choix retiré depuis)"


def _bars(question: Question, counts: dict[str, int], respondents: int) -> list[Bar]:
    values = expected_answers(question)
    # Answers to a choice renamed or removed since they were given still count, after the current ones.
    values += sorted(value for value in counts if value not in values)
    offered = set(expected_answers(question))
    bars = [
        Bar(bar_label(question, value, offered), counts.get(value, 0), None, row=row)
        for row, value in enumerate(values)
    ]
    highest = max((bar.count for bar in bars), default=0)
    for bar in bars:
        bar.share = share(bar.count, respondents)
        bar.width = round(BAR_AREA * bar.count / highest, 2) if highest else 0.0
    return bars


def latest_texts(sample: int) -> dict:
    """Annotations `latest_0`… of a question: its `sample` latest answers, newest first (by their order of
    arrival), each through the index of a question's answers."""
    answers = Answer.objects.filter(question=OuterRef("pk")).order_by("-pk").values("value")
    return {f"latest_{rank}": Subquery(answers[rank : rank + 1]) for rank in range(sample)}


def question_results(survey: Survey, *, text_sample: int = TEXT_SAMPLE) -> list[QuestionResult]:
    """The results of each question of `survey`, in its order, from the counts kept as responses arrive
    (`evaluation.tallies`): two queries whatever the numbers of questions and responses."""
    questions = list(survey.questions.annotate(**latest_texts(text_sample)))
    respondents = {question.pk: question.respondent_count for question in questions}
    counts: dict[int, dict[str, int]] = {}
    for question_id, value, n in AnswerCount.objects.filter(question__survey=survey).values_list(
        "question_id", "value", "count"
    ):
        counts.setdefault(question_id, {})[value] = n
    texts = {
        question.pk: [text for rank in range(text_sample) if (text := getattr(question, f"latest_{rank}"))]
        for question in questions
        if question.kind == QuestionKind.TEXT
    }

    results = []
    for question in questions:
        result = QuestionResult(question, respondents=respondents.get(question.pk, 0))
        if question.kind == QuestionKind.TEXT:
            result.texts = texts.get(question.pk, [])
        else:
            question_counts = counts.get(question.pk, {})
            result.bars = _bars(question, question_counts, result.respondents)
            if question.kind == QuestionKind.SCALE and result.respondents:
                scores = {int(value): n for value, n in question_counts.items()}
                total = sum(score * n for score, n in scores.items())
                result.average = (Decimal(total) / sum(scores.values())).quantize(Decimal("0.01"), ROUND_HALF_UP)
                result.high_count = sum(n for score, n in scores.items() if score >= HIGH_SCORE)
        results.append(result)
    return results


def high_share_of(question: Question) -> tuple[Decimal | None, int]:
    """(share of 4 and 5 in %, unrounded; number of respondents) of a scale question, read afresh."""
    respondents = Question.objects.filter(pk=question.pk).values_list("respondent_count", flat=True).first()
    if not respondents:
        return None, 0
    counts = AnswerCount.objects.filter(question=question).values_list("value", "count")
    high = sum(count for value, count in counts if int(value) >= HIGH_SCORE)
    return Decimal(100) * high / respondents, respondents


def export_table(survey: Survey) -> tuple[list[str], list[list]]:
    """The raw answers: one row per response (number, date received, then one column per question, the
    choices of a multiple choice joined with " | "), in the order they came. Three queries."""
    questions = list(survey.questions.all())
    headers = ["Réponse n°", "Reçue le"] + [f"Q{index}. {q.text}" for index, q in enumerate(questions, start=1)]
    values: dict[int, dict[int, list[str]]] = {}
    for response_id, question_id, value in (
        Answer.objects.filter(response__survey=survey)
        .order_by("pk")
        .values_list("response_id", "question_id", "value")
    ):
        values.setdefault(response_id, {}).setdefault(question_id, []).append(value)
    rows = []
    responses = survey.responses.order_by("submitted_at", "pk").values_list("pk", "submitted_at")
    for number, (response_id, submitted_at) in enumerate(responses, start=1):
        given = values.get(response_id, {})
        row = [number, f"{timezone.localtime(submitted_at):%d/%m/%Y %H:%M}"]
        for question in questions:
            answer = given.get(question.pk, [])
            if question.kind == QuestionKind.SCALE and answer:
                row.append(int(answer[0]))
            else:
                row.append(MULTIPLE_SEPARATOR.join(answer))
        rows.append(row)
    return headers, rows
