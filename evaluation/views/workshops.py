"""Ateliers, réunions publiques, forums et concertations: everyone signed in reads them, the coordination
records them. Their proposals are gathered, axis by axis, to prepare the next CTG."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from actions.models import Action
from ctg.models import Axis, Convention
from ctg.views.helpers import SAVED, convention_or_current, delete_page, form_page, post_data, require
from evaluation.forms.workshops import WorkshopFilterForm, WorkshopForm
from evaluation.models import Workshop
from evaluation.perms import can_manage_evaluation

PAGE_SIZE = 10  # as the other lists of the evaluation: each row costs, the demo has four
get_or_post = require_http_methods(["GET", "POST"])


def _list_url(convention: Convention) -> str:
    return f"{reverse('evaluation:workshop_list')}?convention={convention.pk}"


def _detail_url(workshop: Workshop) -> str:
    return reverse("evaluation:workshop_detail", args=[workshop.pk])


def _with_axes(queryset):
    return queryset.prefetch_related(Prefetch("axes", Axis.objects.order_by("order", "code")))


@require_GET
def workshop_list(request):
    """The workshops of a convention, filtered by year and type, twenty a page, with the number of
    participants of the whole filtered set (one aggregate, which also gives the paginator its count)."""
    convention = convention_or_current(request.GET.get("convention"))
    filters = WorkshopFilterForm(request.GET, convention=convention)
    workshops = Workshop.objects.filter(convention=convention)
    if (year := filters.value("annee")) is not None:
        workshops = workshops.filter(held_on__year=year)
    if kind := filters.value("type"):
        workshops = workshops.filter(kind=kind)
    totals = workshops.aggregate(
        count=Count("pk"),
        inhabitants=Coalesce(Sum("inhabitants"), 0),
        professionals=Coalesce(Sum("professionals"), 0),
    )
    paginator = Paginator(_with_axes(workshops.order_by("-held_on", "topic", "pk")), PAGE_SIZE)
    paginator.count = totals["count"]  # a cached property: no second COUNT query
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "evaluation/workshop_list.html" + ("#results" if request.htmx else "")
    return render(
        request,
        template,
        {
            "convention": convention,
            "filters": filters,
            "page": page,
            "totals": totals,
            "query": query.urlencode(),
            "can_manage": can_manage_evaluation(request.user),
        },
    )


@dataclass
class ProposalGroup:
    """The workshops whose proposals concern one axis (`axis` None: those tied to no axis)."""

    axis: Axis | None
    workshops: list[Workshop] = field(default_factory=list)


def proposals_by_axis(convention: Convention) -> list[ProposalGroup]:
    """The workshops of `convention` that made proposals, under each axis they concern: the axes chosen on
    the workshop and those of its actions. Four queries whatever the number of workshops."""
    workshops = _with_axes(
        Workshop.objects.filter(convention=convention).exclude(proposals="").order_by("-held_on", "topic", "pk")
    ).prefetch_related(Prefetch("actions", Action.objects.select_related("objective__axis").order_by("code")))
    groups: dict[int | None, ProposalGroup] = {}
    for workshop in workshops:
        axes = {axis.pk: axis for axis in workshop.axes.all()}
        axes |= {action.objective.axis_id: action.objective.axis for action in workshop.actions.all()}
        workshop.proposal_lines = [line.strip() for line in workshop.proposals.splitlines() if line.strip()]
        for key, axis in axes.items() or [(None, None)]:
            groups.setdefault(key, ProposalGroup(axis)).workshops.append(workshop)
    return sorted(groups.values(), key=lambda g: (g.axis is None, g.axis and (g.axis.order, g.axis.code)))


@require_GET
def workshop_proposals(request):
    convention = convention_or_current(request.GET.get("convention"))
    return render(
        request,
        "evaluation/workshop_proposals.html",
        {"convention": convention, "groups": proposals_by_axis(convention)},
    )


@require_GET
def workshop_detail(request, pk):
    workshop = get_object_or_404(
        _with_axes(Workshop.objects.select_related("convention")).prefetch_related(
            Prefetch("actions", Action.objects.order_by("code"))
        ),
        pk=pk,
    )
    return render(
        request,
        "evaluation/workshop_detail.html",
        {"workshop": workshop, "can_manage": can_manage_evaluation(request.user)},
    )


def _workshop_form(request, form: WorkshopForm, title: str, cancel_url: str):
    return form_page(
        request,
        form,
        title=title,
        success_url=_detail_url,
        cancel_url=cancel_url,
        success_message=SAVED,
        template="evaluation/workshop_form.html",
    )


@get_or_post
def workshop_create(request):
    require(can_manage_evaluation(request.user))
    convention = convention_or_current(request.GET.get("convention"))
    form = WorkshopForm(post_data(request), instance=Workshop(convention=convention), convention=convention)
    return _workshop_form(request, form, "Nouvel atelier ou concertation", _list_url(convention))


@get_or_post
def workshop_edit(request, pk):
    require(can_manage_evaluation(request.user))
    workshop = get_object_or_404(Workshop.objects.select_related("convention"), pk=pk)
    form = WorkshopForm(post_data(request), instance=workshop, convention=workshop.convention)
    return _workshop_form(request, form, f"Modifier « {workshop.topic} »", _detail_url(workshop))


@get_or_post
def workshop_delete(request, pk):
    require(can_manage_evaluation(request.user))
    workshop = get_object_or_404(Workshop.objects.select_related("convention"), pk=pk)
    return delete_page(request, workshop, success_url=_list_url(workshop.convention), cancel_url=_detail_url(workshop))


urlpatterns = [
    path("ateliers/", workshop_list, name="workshop_list"),
    path("ateliers/propositions/", workshop_proposals, name="workshop_proposals"),
    path("ateliers/nouveau/", workshop_create, name="workshop_create"),
    path("ateliers/<int:pk>/", workshop_detail, name="workshop_detail"),
    path("ateliers/<int:pk>/modifier/", workshop_edit, name="workshop_edit"),
    path("ateliers/<int:pk>/supprimer/", workshop_delete, name="workshop_delete"),
]
