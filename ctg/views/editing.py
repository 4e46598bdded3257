"""Create, edit and delete pages for the CTG's own records: coordination only."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ctg.forms import AmendmentForm, AxisForm, ConventionForm, ObjectiveForm, ServiceForm, SignatoryForm, TerritoryForm
from ctg.models import Amendment, Axis, Convention, Objective, Service, Signatory, Territory
from ctg.perms import can_manage_ctg
from ctg.views.helpers import SAVED, delete_page, form_page, post_data, referential_form_page, require

get_or_post = require_http_methods(["GET", "POST"])


def files_data(request):
    """Uploaded files (the convention's logos), bound on POST only like `post_data`."""
    return request.FILES if request.method == "POST" else None


def _convention_form(request, form, title, convention):
    """Any record shown on the convention's page: back to that page once saved."""
    return form_page(
        request,
        form,
        title=title,
        success_url=lambda obj: convention.get_absolute_url(),
        cancel_url=convention.get_absolute_url(),
        success_message=SAVED,
    )


def _convention_delete(request, obj, convention):
    url = convention.get_absolute_url()
    return delete_page(request, obj, success_url=url, cancel_url=url)


@get_or_post
def convention_create(request):
    require(can_manage_ctg(request.user))
    return form_page(
        request,
        ConventionForm(post_data(request), files_data(request)),
        title="Nouvelle convention territoriale globale",
        success_url=lambda convention: convention.get_absolute_url(),
        cancel_url=reverse("ctg:convention_list"),
        success_message="La convention a été créée.",
    )


@get_or_post
def convention_edit(request, pk):
    require(can_manage_ctg(request.user))
    convention = get_object_or_404(Convention, pk=pk)
    form = ConventionForm(post_data(request), files_data(request), instance=convention)
    return _convention_form(request, form, f"Modifier « {convention} »", convention)


@get_or_post
def signatory_create(request, convention_pk):
    require(can_manage_ctg(request.user))
    convention = get_object_or_404(Convention, pk=convention_pk)
    form = SignatoryForm(post_data(request), instance=Signatory(convention=convention))
    return _convention_form(request, form, "Ajouter un·e signataire", convention)


@get_or_post
def signatory_edit(request, pk):
    require(can_manage_ctg(request.user))
    signatory = get_object_or_404(Signatory.objects.select_related("convention"), pk=pk)
    form = SignatoryForm(post_data(request), instance=signatory)
    return _convention_form(request, form, f"Modifier « {signatory} »", signatory.convention)


@get_or_post
def signatory_delete(request, pk):
    require(can_manage_ctg(request.user))
    signatory = get_object_or_404(Signatory.objects.select_related("convention"), pk=pk)
    return _convention_delete(request, signatory, signatory.convention)


@get_or_post
def amendment_create(request, convention_pk):
    require(can_manage_ctg(request.user))
    convention = get_object_or_404(Convention, pk=convention_pk)
    next_number = convention.amendments.count() + 1
    form = AmendmentForm(
        post_data(request), instance=Amendment(convention=convention), initial={"number": next_number}
    )
    return _convention_form(request, form, "Ajouter un avenant", convention)


@get_or_post
def amendment_edit(request, pk):
    require(can_manage_ctg(request.user))
    amendment = get_object_or_404(Amendment.objects.select_related("convention"), pk=pk)
    form = AmendmentForm(post_data(request), instance=amendment)
    return _convention_form(request, form, f"Modifier « {amendment} »", amendment.convention)


@get_or_post
def amendment_delete(request, pk):
    require(can_manage_ctg(request.user))
    amendment = get_object_or_404(Amendment.objects.select_related("convention"), pk=pk)
    return _convention_delete(request, amendment, amendment.convention)


@get_or_post
def axis_create(request, convention_pk):
    require(can_manage_ctg(request.user))
    convention = get_object_or_404(Convention, pk=convention_pk)
    form = AxisForm(
        post_data(request), instance=Axis(convention=convention), initial={"order": convention.axes.count() + 1}
    )
    return _convention_form(request, form, "Ajouter un axe", convention)


@get_or_post
def axis_edit(request, pk):
    require(can_manage_ctg(request.user))
    axis = get_object_or_404(Axis.objects.select_related("convention"), pk=pk)
    form = AxisForm(post_data(request), instance=axis)
    return _convention_form(request, form, f"Modifier l'axe « {axis} »", axis.convention)


@get_or_post
def axis_delete(request, pk):
    require(can_manage_ctg(request.user))
    axis = get_object_or_404(Axis.objects.select_related("convention"), pk=pk)
    return _convention_delete(request, axis, axis.convention)


@get_or_post
def objective_create(request, convention_pk):
    require(can_manage_ctg(request.user))
    convention = get_object_or_404(Convention, pk=convention_pk)
    initial = {key: request.GET[key] for key in ("axis", "parent", "level") if key in request.GET}
    form = ObjectiveForm(post_data(request), convention=convention, initial=initial)
    return _convention_form(request, form, "Ajouter un objectif", convention)


@get_or_post
def objective_edit(request, pk):
    require(can_manage_ctg(request.user))
    objective = get_object_or_404(Objective.objects.select_related("axis__convention"), pk=pk)
    convention = objective.axis.convention
    form = ObjectiveForm(post_data(request), instance=objective, convention=convention)
    return _convention_form(request, form, f"Modifier l'objectif « {objective} »", convention)


@get_or_post
def objective_delete(request, pk):
    require(can_manage_ctg(request.user))
    objective = get_object_or_404(Objective.objects.select_related("axis__convention"), pk=pk)
    return _convention_delete(request, objective, objective.axis.convention)


@get_or_post
def territory_create(request):
    require(can_manage_ctg(request.user))
    form = TerritoryForm(post_data(request))
    return referential_form_page(request, form, reverse("ctg:territory_list"), "Ajouter un territoire")


@get_or_post
def territory_edit(request, pk):
    require(can_manage_ctg(request.user))
    territory = get_object_or_404(Territory, pk=pk)
    form = TerritoryForm(post_data(request), instance=territory)
    return referential_form_page(request, form, reverse("ctg:territory_list"), f"Modifier « {territory} »")


@get_or_post
def service_create(request):
    require(can_manage_ctg(request.user))
    form = ServiceForm(post_data(request))
    return referential_form_page(request, form, reverse("ctg:service_list"), "Ajouter un service")


@get_or_post
def service_edit(request, pk):
    require(can_manage_ctg(request.user))
    service = get_object_or_404(Service, pk=pk)
    form = ServiceForm(post_data(request), instance=service)
    return referential_form_page(request, form, reverse("ctg:service_list"), f"Modifier « {service} »")
