"""A meeting's attachments: the coordination adds and deletes them on the meeting's page; whoever may read the
meeting downloads them, from here only (the files are stored outside any public URL)."""

import logging

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ctg.views.helpers import require
from governance.forms import AttachmentForm
from governance.models import MeetingAttachment
from governance.perms import can_manage_governance, can_read_governance
from governance.services import (
    ATTACHMENT_ADDED,
    ATTACHMENT_DELETED,
    GovernanceError,
    MeetingGone,
    attachment_add,
    attachment_delete,
)
from governance.views.meetings import answer, get_meeting, meeting_gone
from partners.documents import document_response

logger = logging.getLogger("governance")


@require_POST
def attachment_add_view(request, pk):
    require(can_manage_governance(request.user))
    meeting = get_meeting(pk)
    form = AttachmentForm(request.POST, request.FILES)
    try:
        attachment = attachment_add(meeting=meeting, form=form, by=request.user)
    except MeetingGone as error:
        return meeting_gone(request, meeting, str(error))
    if attachment is None:
        return answer(request, meeting, "attachments", attachment_form=form)
    return answer(request, meeting, "attachments", ATTACHMENT_ADDED.format(attachment))


@require_GET
def attachment_download(request, pk):
    """The file, as an attachment (never shown inline by the browser), to whoever may read the meeting."""
    require(can_read_governance(request.user))
    attachment = get_object_or_404(MeetingAttachment, pk=pk)
    if not attachment.file:
        raise Http404("Cette pièce jointe n'a pas de fichier.")
    response = document_response(attachment.file, attachment.filename)
    logger.info("Attachment #%s of meeting #%s downloaded by %s", attachment.pk, attachment.meeting_id, request.user)
    return response


@require_http_methods(["GET", "POST"])
def attachment_remove(request, pk):
    """Confirm (GET), then delete the attachment and, once committed, its file (POST)."""
    require(can_manage_governance(request.user))
    attachment = get_object_or_404(MeetingAttachment.objects.select_related("meeting__body"), pk=pk)
    url = f"{attachment.meeting.get_absolute_url()}#attachments"
    if request.method == "GET":
        return render(request, "confirm_delete.html", {"object": attachment, "cancel_url": url})
    try:
        attachment_delete(pk=attachment.pk, by=request.user)
    except GovernanceError as error:
        messages.info(request, str(error))
    else:
        messages.success(request, ATTACHMENT_DELETED.format(attachment))
    return redirect(url)


urlpatterns = [
    path("reunions/<int:pk>/pieces-jointes/ajouter/", attachment_add_view, name="attachment_add"),
    path("pieces-jointes/<int:pk>/", attachment_download, name="attachment_download"),
    path("pieces-jointes/<int:pk>/supprimer/", attachment_remove, name="attachment_delete"),
]
