import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from reports.enums import RenderState
from reports.models import AnnualReport, Reminder, ReportVersion
from tests.ctg.factories import ConventionFactory, ServiceFactory, UserFactory


class AnnualReportFactory(DjangoModelFactory):
    """A brouillon: validation and transmission go through the workflow's service functions."""

    class Meta:
        model = AnnualReport

    convention = factory.SubFactory(ConventionFactory)
    year = 2026


class ReportVersionFactory(DjangoModelFactory):
    """A version still being produced (no file yet)."""

    class Meta:
        model = ReportVersion

    report = factory.SubFactory(AnnualReportFactory)
    number = factory.Sequence(lambda n: n + 1)
    requested_by = factory.SubFactory(UserFactory, coordination=True)


class ReminderFactory(DjangoModelFactory):
    class Meta:
        model = Reminder

    convention = factory.SubFactory(ConventionFactory)
    year = 2026
    service = factory.SubFactory(ServiceFactory)
    recipient = factory.SubFactory(UserFactory, service_head=True, service=factory.SelfAttribute("..service"))
    email = factory.LazyAttribute(lambda reminder: reminder.recipient.email)
    sent_by = factory.SubFactory(UserFactory, coordination=True)
    missing_updates = 1
    missing_actuals = 0
    subject = factory.LazyAttribute(lambda reminder: f"Bilan CTG {reminder.year} – {reminder.service.name}")
    body = "Bonjour,\n\nIl manque un point d'étape.\n"


def ready_version(report, number: int, by, content: bytes = b"%PDF-1.7\n% bilan de test\n") -> ReportVersion:
    """A produced version with a stored file, without running WeasyPrint."""
    version = ReportVersionFactory(report=report, number=number, requested_by=by)
    version.file.save(version.filename, ContentFile(content), save=False)
    version.sha256 = hashlib.sha256(content).hexdigest()
    version.size, version.page_count = len(content), 3
    version.generated_at, version.state = timezone.now(), RenderState.READY
    version.save()
    return version
