"""Jalons, budget lines and partners, edited in place on the detail page.

With htmx each call returns the re-rendered section (plus the history, out of band); without
JavaScript the same URLs redirect back to the detail page or show a plain form page.

On POST the action's row is locked and the part read afresh before the form is checked
(`actions.services.action_part_lock`), and only the fields the person changed are saved. What happened
meanwhile comes back in French: the form's message when a rule is broken (the same partner associated twice),
a flash message when the fiche was deleted or archived, or the part deleted.

The "add" forms are POST-only: what one of them was sending when the session expired comes back, after the new
login, in that form on the fiche (`replayed_on`, see `ctg.session_replay`).
"""

import logging

from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from actions.forms import ActionPartnerForm, BudgetActualForm, BudgetLineForm, MilestoneForm
from actions.models import Action, ActionPartner, BudgetLine, Milestone
from actions.perms import can_plan_action, can_update_action
from actions.services import (
    ActionGone,
    ActionUnavailable,
    PartGone,
    action_part_delete,
    action_part_lock,
    action_part_save,
)
from actions.views.detail import detail_context, get_action, gone_response
from ctg.session_replay import replayed_on
from ctg.views.helpers import add_form_errors, broken_rule, post_data, require

logger = logging.getLogger("actions")

ALREADY_DELETED = "Cet élément avait déjà été supprimé."


def _section(request, action: Action, section: str, **extra) -> HttpResponse:
    """Re-render one region of the detail page (htmx) or the whole page (no JS)."""
    context = detail_context(action, request.user, **extra)
    if not request.htmx:
        return render(request, "actions/action_detail.html", context)
    html = render_to_string(f"actions/action_detail.html#{section}", context, request)
    html += render_to_string("actions/action_detail.html#history", {**context, "oob": True}, request)
    if messages.get_messages(request):
        html += render_to_string("_messages.html", {"oob": True}, request)
    return HttpResponse(html)


def _done(request, action: Action, section: str, message: str) -> HttpResponse:
    logger.info("Action %s: %s by %s", action.code, message, request.user)
    if request.htmx:
        return _section(request, action, section, section_message=message)
    messages.success(request, message)
    return redirect(f"{action.get_absolute_url()}#{section}")


def _refused(request, action_pk: int, section: str, error: Exception) -> HttpResponse:
    """The fiche was deleted or archived, or the part deleted, while this request waited: say so."""
    if isinstance(error, ActionGone):
        return gone_response(request, error)
    messages.error(request, str(error))
    if request.htmx:
        return _section(request, get_action(action_pk), section)
    return redirect(f"{reverse('actions:detail', args=[action_pk])}#{section}")


def _add(request, pk, *, model, form_class, prefix, section, allowed, message):
    action = get_action(pk)
    require(allowed(request.user, action))
    try:
        part = action_part_lock(part=model(action=action), by=request.user, allowed=allowed)
    except ActionUnavailable as error:
        return _refused(request, pk, section, error)
    form = form_class(request.POST, instance=part, prefix=prefix)
    if form.is_valid() and _saved(request, form):
        return _done(request, action, section, message)
    return _section(request, action, section, **{f"{prefix.removeprefix('new-')}_form": form})


def _edit(request, obj, *, form_class, section, allowed, message, title):
    action = get_action(obj.action_id)
    require(allowed(request.user, action))
    if request.method == "POST":
        try:
            obj = action_part_lock(part=obj, by=request.user, allowed=allowed)
        except (ActionUnavailable, PartGone) as error:
            return _refused(request, action.pk, section, error)
    form = form_class(post_data(request), instance=obj, prefix="edit")
    if request.method == "POST" and form.is_valid() and _saved(request, form):
        return _done(request, action, section, message)
    return _edit_page(request, action, obj, form, section=section, title=title)


def _saved(request, form) -> bool:
    """Save a form checked under the action's lock; a unique constraint broken all the same comes back as the
    model's own message on the form (False)."""
    try:
        action_part_save(form=form, by=request.user)
    except IntegrityError:
        add_form_errors(form, broken_rule(form.instance))
        return False
    return True


def _edit_page(request, action: Action, obj, form, *, section: str, title: str) -> HttpResponse:
    if request.htmx:
        return _section(request, action, section, editing=obj.pk, edit_form=form)
    context = {"form": form, "title": title, "cancel_url": f"{action.get_absolute_url()}#{section}", "action": action}
    return render(request, "form_page.html", context)


def _delete(request, obj, *, section, allowed, message):
    action = get_action(obj.action_id)
    require(allowed(request.user, action))
    try:
        deleted = action_part_delete(part=obj, by=request.user, allowed=allowed)
    except ActionUnavailable as error:
        return _refused(request, action.pk, section, error)
    return _done(request, action, section, message if deleted else ALREADY_DELETED)


@require_POST
@replayed_on("actions:detail")
def milestone_add(request, pk):
    return _add(
        request,
        pk,
        model=Milestone,
        form_class=MilestoneForm,
        prefix="new-milestone",
        section="milestones",
        allowed=can_update_action,
        message="Jalon ajouté.",
    )


@require_http_methods(["GET", "POST"])
def milestone_edit(request, pk):
    milestone = get_object_or_404(Milestone, pk=pk)
    return _edit(
        request,
        milestone,
        form_class=MilestoneForm,
        section="milestones",
        allowed=can_update_action,
        message="Jalon enregistré.",
        title=f"Modifier le jalon « {milestone} »",
    )


@require_POST
def milestone_delete(request, pk):
    milestone = get_object_or_404(Milestone, pk=pk)
    return _delete(request, milestone, section="milestones", allowed=can_update_action, message="Jalon supprimé.")


@require_POST
@replayed_on("actions:detail")
def budget_add(request, pk):
    return _add(
        request,
        pk,
        model=BudgetLine,
        form_class=BudgetLineForm,
        prefix="new-budget",
        section="budget",
        allowed=can_plan_action,
        message="Ligne budgétaire ajoutée.",
    )


@require_http_methods(["GET", "POST"])
def budget_edit(request, pk):
    """The coordination edits the whole line; the pilot service enters what was actually spent."""
    line = get_object_or_404(BudgetLine.objects.select_related("action"), pk=pk)
    form_class = BudgetLineForm if can_plan_action(request.user, line.action) else BudgetActualForm
    return _edit(
        request,
        line,
        form_class=form_class,
        section="budget",
        allowed=can_update_action,
        message="Ligne budgétaire enregistrée.",
        title=f"Modifier la ligne budgétaire « {line} »",
    )


@require_POST
def budget_delete(request, pk):
    line = get_object_or_404(BudgetLine, pk=pk)
    return _delete(request, line, section="budget", allowed=can_plan_action, message="Ligne budgétaire supprimée.")


@require_POST
@replayed_on("actions:detail")
def partner_add(request, pk):
    return _add(
        request,
        pk,
        model=ActionPartner,
        form_class=ActionPartnerForm,
        prefix="new-partner",
        section="partners",
        allowed=can_plan_action,
        message="Partenaire ajouté.",
    )


@require_POST
def partner_remove(request, pk):
    role = get_object_or_404(ActionPartner, pk=pk)
    return _delete(request, role, section="partners", allowed=can_plan_action, message="Partenaire retiré.")
