"""Demo data of the evaluation app (fictional), seeded by `manage.py seed_demo` after the action plan and
before the bilans, so that the bilans produced by the demo show it. Each part is idempotent and finds its
rows again by stable keys (indicator codes, survey titles…)."""

from datetime import date

from ctg.models import Convention, User
from evaluation.demo import assessments, context, indicators, surveys, workshops


def seed_evaluation(*, convention: Convention, users: dict[str, User], today: date) -> None:
    indicators.seed(convention=convention, users=users, today=today)
    context.seed(convention=convention, users=users, today=today)
    surveys.seed(convention=convention, users=users, today=today)
    workshops.seed(convention=convention, users=users, today=today)
    assessments.seed(convention=convention, users=users, today=today)
