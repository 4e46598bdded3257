"""Health check for the reverse proxy, the load balancer or the monitoring: does the app answer, and
does its database? Public, read-only, and says nothing else."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("ctg")


@login_not_required
@never_cache
@require_GET
@transaction.non_atomic_requests  # ATOMIC_REQUESTS would open the connection before the view can catch it
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
