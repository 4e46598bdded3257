"""Background tasks (django-tasks: a database queue and its worker in the demo and in production, run at
once in the tests)."""

import logging

from django_tasks import task

from reports.models import ReportVersion
from reports.rendering import produce_version

logger = logging.getLogger("reports")


@task()
def produce_report_version(version_id: int) -> None:
    """Produce the PDF of a version of the bilan (a few seconds of WeasyPrint)."""
    version = ReportVersion.objects.filter(pk=version_id).first()
    if version is None:
        logger.warning("Version de bilan %s introuvable : rien à produire", version_id)
        return
    produce_version(version)
