import logging
from functools import partial

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from actions.forms import ActionForm, ActionPartnerForm, BudgetLineForm, MilestoneForm
from actions.history import action_history
from actions.models import Action, ActionPartner
from actions.perms import can_edit_action, can_plan_action, can_update_action
from actions.services import ActionGone, ActionHasUpdates, action_delete, action_set_archived
from ctg.models import Convention
from ctg.panels import render_panels
from ctg.views.helpers import post_data, query_int, require, save_form

logger = logging.getLogger("actions")

ARCHIVED = "La fiche a été archivée."
RESTORED = "La fiche a été réactivée."
DELETED = "La fiche « {} » a été supprimée."
ALREADY_DELETED = "La fiche « {} » avait déjà été supprimée."


def add_form(form_class, prefix: str, replayed: QueryDict | None = None, **kwargs):
    """An inline "add" form of the fiche, empty; or bound to `replayed`, what a POST of an expired session was
    sending (`ctg.session_replay`), when its fields carry this form's prefix: the other forms stay empty."""
    mine = replayed is not None and any(name.startswith(f"{prefix}-") for name in replayed)
    return form_class(replayed if mine else None, prefix=prefix, **kwargs)


def detail_context(action: Action, user, *, replayed: QueryDict | None = None, **extra) -> dict:
    """Everything the detail page and its swappable regions show; `extra` overrides the defaults. `replayed`
    fills the add form it was typed in (see `add_form`)."""
    can_update = can_update_action(user, action)
    can_plan = can_plan_action(user, action)
    budget_lines = list(action.budget_lines.all())
    return {
        "action": action,
        "partner_roles": action.partner_roles.select_related("partner"),
        "milestones": action.milestones.all(),
        "budget_lines": budget_lines,
        "budget_planned": sum(line.planned for line in budget_lines),
        "budget_actual": sum(line.actual or 0 for line in budget_lines),
        "updates": list(action.updates.select_related("author")),
        "history": action_history(action),
        "can_update": can_update,
        "can_edit": can_edit_action(user),
        "can_plan": can_plan,
        "milestone_form": add_form(MilestoneForm, "new-milestone", replayed) if can_update else None,
        "budget_form": add_form(BudgetLineForm, "new-budget", replayed) if can_plan else None,
        "partner_form": add_form(ActionPartnerForm, "new-partner", replayed, instance=ActionPartner(action=action))
        if can_plan
        else None,
        "progress_form": None,
        "saved": False,
        "editing": None,
        "edit_form": None,
        "section_message": "",
        "oob": False,
        # Called by the template, so only the full page pays for the other apps' panels, not the fragments.
        "panels": partial(render_panels, "action", action, user),
        **extra,
    }


def get_action(pk: int) -> Action:
    return get_object_or_404(Action.objects.for_display().prefetch_related("publics", "territories"), pk=pk)


def get_action_for_update(pk: int) -> Action:
    """The action row, locked until the end of the request so two saves cannot interleave."""
    queryset = Action.objects.select_related("objective__axis__convention", "convention").select_for_update(
        of=("self",)
    )
    return get_object_or_404(queryset, pk=pk)


def gone_response(request, error: ActionGone) -> HttpResponse:
    """The fiche was deleted while this request waited for it: say so on the plan d'actions."""
    messages.error(request, str(error))
    if request.htmx:
        return HttpResponseClientRedirect(reverse("actions:list"))
    return redirect("actions:list")


@require_GET
def action_detail(request, pk):
    action = get_action(pk)
    context = detail_context(action, request.user, replayed=post_data(request))
    return render(request, "actions/action_detail.html", context)


@require_http_methods(["GET", "POST"])
def action_create(request):
    require(can_edit_action(request.user))
    pk = request.GET.get("convention")
    convention = get_object_or_404(Convention, pk=query_int(pk)) if pk else Convention.objects.current()
    if convention is None:
        return redirect("ctg:convention_list")
    initial = {}
    if objective := query_int(request.GET.get("objective")):
        initial["objective"] = objective
    form = ActionForm(post_data(request), convention=convention, initial=initial)
    # A code taken meanwhile (a double submission) comes back as the form's message, as does an objective
    # deleted meanwhile.
    if request.method == "POST" and form.is_valid() and (action := save_form(form)) is not None:
        logger.info("Action %s created by %s", action.code, request.user)
        messages.success(request, f"La fiche « {action} » a été créée.")
        return redirect(action)
    context = {"form": form, "convention": convention, "action": None, "saved_code": ""}
    return render(request, "actions/action_form.html", context)


@require_http_methods(["GET", "POST"])
def action_edit(request, pk):
    require(can_edit_action(request.user))
    action = get_action_for_update(pk) if request.method == "POST" else get_action(pk)
    saved_code = action.code  # the form overwrites the instance with the input, even when invalid
    form = ActionForm(post_data(request), instance=action, convention=action.convention)
    if request.method == "POST" and form.is_valid() and save_form(form) is not None:
        logger.info("Action %s edited by %s", action.code, request.user)
        messages.success(request, "La fiche a été enregistrée.")
        return redirect(action)
    context = {"form": form, "convention": action.convention, "action": action, "saved_code": saved_code}
    return render(request, "actions/action_form.html", context)


@require_POST
def action_archive(request, pk):
    """Archive or restore. The form may say which (`archived` = 1 or 0), so that a double click archives once;
    without it, the button switches the state the page showed."""
    require(can_edit_action(request.user))
    action = get_object_or_404(Action, pk=pk)
    archive = {"1": True, "0": False}.get(request.POST.get("archived", ""), action.archived_at is None)
    try:
        action_set_archived(action=action, by=request.user, archived=archive)
    except ActionGone as error:
        return gone_response(request, error)
    messages.success(request, ARCHIVED if archive else RESTORED)
    return redirect(action)


@require_http_methods(["GET", "POST"])
def action_remove(request, pk):
    """Delete a fiche created by mistake; one with points d'étape is archived instead."""
    require(can_edit_action(request.user))
    action = get_object_or_404(Action, pk=pk)
    if request.method == "GET":
        return render(request, "confirm_delete.html", {"object": action, "cancel_url": action.get_absolute_url()})
    try:
        action_delete(action=action, by=request.user)
    except ActionHasUpdates as error:
        messages.error(request, str(error))
        return redirect(action)
    except ActionGone:
        messages.info(request, ALREADY_DELETED.format(action))
        return redirect("actions:list")
    messages.success(request, DELETED.format(action))
    return redirect("actions:list")
