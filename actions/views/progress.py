from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from actions.forms import ProgressUpdateForm
from actions.models import Action, ProgressUpdate
from actions.perms import can_update_action
from actions.services import ActionGone, action_lock, action_record_progress
from actions.views.detail import detail_context, get_action, gone_response
from ctg.views.helpers import add_form_errors, post_data, require

RECORDED = "Point d'étape enregistré."


def progress_form(action: Action, user, data=None) -> ProgressUpdateForm:
    return ProgressUpdateForm(
        data,
        instance=ProgressUpdate(action=action, author=user),
        initial={"status": action.status, "progress": action.progress},
    )


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None


def _fragment(request, action: Action, origin: str, form: ProgressUpdateForm | None, saved: bool) -> HttpResponse:
    """htmx: the list card (origin "card") or the detail page's status panel, plus its timeline."""
    if origin == "card":
        action.updatable = True
        card_next = request.htmx.current_url_abs_path or action.get_absolute_url()
        context = {"action": action, "progress_form": form, "saved": saved, "card_next": card_next}
        return render(request, "actions/_action_card.html", context)
    context = detail_context(action, request.user, progress_form=form, saved=saved, oob=True)
    html = render_to_string("actions/action_detail.html#status", context, request)
    if saved:
        html += render_to_string("actions/action_detail.html#timeline", context, request)
        html += render_to_string("actions/action_detail.html#history", context, request)
    return HttpResponse(html)


@require_http_methods(["GET", "POST"])
def record_progress(request, pk):
    """Point d'étape: inline from a list card or the detail page with htmx, a plain page without JS."""
    action = get_action(pk)
    require(can_update_action(request.user, action))
    origin = request.POST.get("origin") or request.GET.get("origin", "detail")
    if request.method == "POST":
        try:
            action_lock(pk)  # until the request ends: the action cannot vanish while the form is checked
        except ActionGone as error:
            return gone_response(request, error)
    form = progress_form(action, request.user, post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            action_record_progress(action=action, by=request.user, **form.cleaned_data)
        except ActionGone as error:
            return gone_response(request, error)
        except ValidationError as error:
            # Checked again under the action's lock: another point d'étape, or an archiving, came first. The
            # form says why, next to what is now saved.
            add_form_errors(form, error)
            action = get_action(pk)
        else:
            if request.htmx:
                return _fragment(request, get_action(pk), origin, None, saved=True)
            messages.success(request, RECORDED)
            return redirect(_safe_next(request) or action.get_absolute_url())
    if request.htmx:
        return _fragment(request, action, origin, None if "cancel" in request.GET else form, saved=False)
    return render(request, "actions/progress_form.html", {"action": action, "form": form, "next": _safe_next(request)})
