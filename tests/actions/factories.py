from datetime import timedelta
from decimal import Decimal

import factory
from django.db.models import Q
from django.utils import timezone
from factory.django import DjangoModelFactory

from actions.models import Action, ActionPartner, BudgetLine, Milestone, ProgressUpdate
from tests.ctg.factories import ObjectiveFactory, ServiceFactory, UserFactory
from tests.partners.factories import PartnerFactory


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = Action

    objective = factory.SubFactory(ObjectiveFactory)
    convention = factory.LazyAttribute(lambda action: action.objective.axis.convention)
    code = factory.Sequence(lambda n: f"FA{n}")
    title = factory.Sequence(lambda n: f"Action {n}")
    pilot_service = factory.SubFactory(ServiceFactory)
    status = "in_progress"
    progress = factory.LazyAttribute(lambda action: 100 if action.status == "done" else 40)  # done is at 100 %
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=300))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=300))

    class Params:
        late = factory.Trait(end_date=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10)))
        done = factory.Trait(status="done", progress=100)
        stale = factory.Trait(created_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=200)))
        archived = factory.Trait(archived_at=factory.LazyFunction(timezone.now))


class ProgressUpdateFactory(DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    action = factory.SubFactory(ActionFactory)
    author = factory.SubFactory(UserFactory, coordination=True)
    status = "in_progress"
    progress = factory.LazyAttribute(lambda update: 100 if update.status == "done" else 40)
    done = "Réunion de lancement."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Keep the date of the action's latest point d'étape (`Action.last_update_at`) as
        `action_record_progress` does; the action's status and progress stay what the test set."""
        update = super()._create(model_class, *args, **kwargs)
        at = update.recorded_at
        Action.objects.filter(Q(last_update_at__isnull=True) | Q(last_update_at__lt=at), pk=update.action_id).update(
            last_update_at=at
        )
        action = update.action
        action.last_update_at = at if action.last_update_at is None else max(action.last_update_at, at)
        return update


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    action = factory.SubFactory(ActionFactory)
    title = factory.Sequence(lambda n: f"Jalon {n}")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class BudgetLineFactory(DjangoModelFactory):
    class Meta:
        model = BudgetLine

    action = factory.SubFactory(ActionFactory)
    year = 2025
    funder = "commune"
    planned = Decimal("10000.00")


class ActionPartnerFactory(DjangoModelFactory):
    class Meta:
        model = ActionPartner

    action = factory.SubFactory(ActionFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = "operator"
