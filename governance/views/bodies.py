"""The bodies (instances) of a convention: list with their next meeting, detail with members and meetings."""

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ctg.models import Convention
from ctg.views.helpers import SAVED, convention_or_current, form_page, post_data, require
from governance.forms import BodyForm
from governance.models import Body, Meeting
from governance.perms import can_manage_governance, can_see_contact_details
from partners.models import Contact

MEETINGS_PAGE_SIZE = 20
get_or_post = require_http_methods(["GET", "POST"])


def _list_url(convention: Convention) -> str:
    return f"{reverse('governance:body_list')}?convention={convention.pk}"


@require_GET
def body_list(request):
    """The bodies of a convention, each with its next planned meeting and its number of meetings: one query."""
    convention = convention_or_current(request.GET.get("convention"))
    upcoming = (
        Meeting.objects.upcoming(timezone.localdate()).filter(body=OuterRef("pk")).order_by("date", "start_time")
    )
    bodies = (
        Body.objects.filter(convention=convention)
        .select_related("axis")
        .annotate(
            next_meeting_pk=Subquery(upcoming.values("pk")[:1]),
            next_meeting_date=Subquery(upcoming.values("date")[:1]),
            meeting_count=Count("meetings", distinct=True),
        )
        .order_by("kind", "name")
    )
    return render(
        request,
        "governance/body_list.html",
        {"convention": convention, "bodies": bodies, "can_manage": can_manage_governance(request.user)},
    )


@require_GET
def body_detail(request, pk):
    body = get_object_or_404(
        Body.objects.select_related("convention", "axis").prefetch_related(
            "users__service", Prefetch("contacts", Contact.objects.select_related("partner").order_by("name"))
        ),
        pk=pk,
    )
    meetings = Paginator(body.meetings.order_by("-date", "-start_time", "-pk"), MEETINGS_PAGE_SIZE)
    return render(
        request,
        "governance/body_detail.html",
        {
            "body": body,
            "page": meetings.get_page(request.GET.get("page")),
            "can_manage": can_manage_governance(request.user),
            "show_contact_details": can_see_contact_details(request.user),
        },
    )


@get_or_post
def body_create(request):
    require(can_manage_governance(request.user))
    convention = convention_or_current(request.GET.get("convention"))
    form = BodyForm(post_data(request), instance=Body(convention=convention), convention=convention)
    return form_page(
        request,
        form,
        title="Nouvelle instance",
        success_url=lambda body: body.get_absolute_url(),
        cancel_url=_list_url(convention),
        success_message=SAVED,
    )


@get_or_post
def body_edit(request, pk):
    require(can_manage_governance(request.user))
    body = get_object_or_404(Body.objects.select_related("convention"), pk=pk)
    form = BodyForm(post_data(request), instance=body, convention=body.convention)
    return form_page(
        request,
        form,
        title=f"Modifier « {body} »",
        success_url=lambda body: body.get_absolute_url(),
        cancel_url=body.get_absolute_url(),
        success_message=SAVED,
    )


urlpatterns = [
    path("", body_list, name="body_list"),
    path("nouvelle/", body_create, name="body_create"),
    path("<int:pk>/", body_detail, name="body_detail"),
    path("<int:pk>/modifier/", body_edit, name="body_edit"),
]
