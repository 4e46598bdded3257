from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from evaluation.models import (
    Answer,
    Assessment,
    Indicator,
    IndicatorTarget,
    Measurement,
    Question,
    Response,
    Survey,
    Workshop,
)
from evaluation.services import statuses_refresh
from evaluation.tallies import tallies_rebuild
from tests.actions.factories import ActionFactory
from tests.ctg.factories import ConventionFactory


class IndicatorFactory(DjangoModelFactory):
    """An indicator of an action (the action's convention); `context=True` for one of the CTG itself."""

    class Meta:
        model = Indicator

    action = factory.SubFactory(ActionFactory)
    convention = factory.LazyAttribute(lambda o: o.action.convention if o.action else ConventionFactory())
    code = factory.Sequence(lambda n: f"I{n}")
    name = factory.Sequence(lambda n: f"Indicateur {n}")
    unit = "familles"

    class Params:
        context = factory.Trait(action=None, kind="context", unit="%", source="Caf, données ouvertes")
        with_baseline = factory.Trait(baseline_value=Decimal("100"), baseline_year=2022)


class RefreshingStatuses(DjangoModelFactory):
    """A target or value written straight to the database: the stored statuses are refreshed as the app's
    writes do."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        instance = super()._create(model_class, *args, **kwargs)
        statuses_refresh(indicator_ids=[instance.indicator_id])
        if model_class is Measurement:
            instance.refresh_from_db(fields=["status"])
        return instance


class IndicatorTargetFactory(RefreshingStatuses):
    class Meta:
        model = IndicatorTarget

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2026
    value = Decimal("150")


class MeasurementFactory(RefreshingStatuses):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2025
    value = Decimal("120")


class SurveyFactory(DjangoModelFactory):
    class Meta:
        model = Survey

    convention = factory.SubFactory(ConventionFactory)
    title = factory.Sequence(lambda n: f"Enquête {n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=20))

    class Params:
        closed = factory.Trait(
            opens_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60)),
            closes_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30)),
        )
        upcoming = factory.Trait(
            opens_on=factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=5)),
            closes_on=factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30)),
        )


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    order = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Question {n} ?")
    kind = "scale"


class ResponseFactory(DjangoModelFactory):
    class Meta:
        model = Response

    survey = factory.SubFactory(SurveyFactory)
    client_hash = "0" * 64
    nonce = factory.Sequence(lambda n: f"nonce-{n}")


class AnswerFactory(DjangoModelFactory):
    """An answer written straight to the database: its survey's counts are made again, as the demo does."""

    class Meta:
        model = Answer

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        answer = super()._create(model_class, *args, **kwargs)
        tallies_rebuild(survey_ids=[answer.question.survey_id])
        return answer

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(QuestionFactory)
    value = "4"
    score = 4


class WorkshopFactory(DjangoModelFactory):
    class Meta:
        model = Workshop

    convention = factory.SubFactory(ConventionFactory)
    held_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=20))
    topic = factory.Sequence(lambda n: f"Atelier {n}")
    inhabitants = 12
    professionals = 4


class AssessmentFactory(DjangoModelFactory):
    class Meta:
        model = Assessment

    action = factory.SubFactory(ActionFactory)
    year = 2025
    relevance = 3
    relevance_note = "L'action répond au besoin repéré."
    recommendation = "continue"
