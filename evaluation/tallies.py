"""The counts a survey's results read: per question, the responses that answered it
(`Question.respondent_count`) and, but for free texts, how many gave each answer (`AnswerCount`).

`tallies_add` counts each new response as it is stored, under the survey's lock (`response_submit`), so two
responses never count over each other; `tallies_rebuild` counts again from the answers, for answers written
in bulk (the demo, the benchmark). The results page then costs the same for 60 responses or 6,000.
"""

from collections import Counter

from django.db.models import Count, F

from evaluation.enums import QuestionKind
from evaluation.models import Answer, AnswerCount, Question


def tallies_add(answers: list[Answer]) -> None:
    """Count the answers of one new response (their `question` loaded); the caller holds the survey's lock."""
    Question.objects.filter(pk__in={answer.question_id for answer in answers}).update(
        respondent_count=F("respondent_count") + 1
    )
    given = Counter(
        (answer.question_id, answer.value) for answer in answers if answer.question.kind != QuestionKind.TEXT
    )
    if not given:
        return
    stored = {
        (tally.question_id, tally.value): tally
        for tally in AnswerCount.objects.filter(
            question_id__in={question_id for question_id, _ in given}, value__in={value for _, value in given}
        )
    }
    changed, new = [], []
    for (question_id, value), count in given.items():
        if tally := stored.get((question_id, value)):
            tally.count += count
            changed.append(tally)
        else:
            new.append(AnswerCount(question_id=question_id, value=value, count=count))
    AnswerCount.objects.bulk_update(changed, ["count"])
    AnswerCount.objects.bulk_create(new)


def tallies_rebuild(*, survey_ids: list[int]) -> None:
    """Count the answers of these surveys again, from scratch."""
    answers = Answer.objects.filter(question__survey_id__in=survey_ids).order_by()
    AnswerCount.objects.filter(question__survey_id__in=survey_ids).delete()
    AnswerCount.objects.bulk_create(
        AnswerCount(question_id=question_id, value=value, count=count)
        for question_id, value, count in answers.exclude(question__kind=QuestionKind.TEXT)
        .values("question_id", "value")
        .annotate(n=Count("pk"))
        .values_list("question_id", "value", "n")
    )
    respondents = dict(
        answers.values("question_id").annotate(n=Count("response_id", distinct=True)).values_list("question_id", "n")
    )
    questions = list(Question.objects.filter(survey_id__in=survey_ids).only("respondent_count"))
    for question in questions:
        question.respondent_count = respondents.get(question.pk, 0)
    Question.objects.bulk_update(questions, ["respondent_count"])
