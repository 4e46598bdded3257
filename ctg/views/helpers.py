"""Small building blocks shared by the create / edit / delete pages of every app."""

import logging
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, ProtectedError
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from ctg.models import Convention

logger = logging.getLogger("ctg")

SAVED = "Enregistré : « {} »."
PROTECTED_DELETE = "Suppression impossible : d'autres éléments y sont rattachés. Détachez-les d'abord."


def query_int(value: str | None) -> int | None:
    """A key or a year from a query string or a form: ASCII digits only ("²" passes `str.isdigit()`), few
    enough for the database's integers. Anything else is None, which callers turn into a 404 or a default."""
    if value and value.isascii() and value.isdecimal() and len(value) <= 9:
        return int(value)
    return None


def convention_or_current(value: str | None) -> Convention:
    """The convention a page is asked about (`?convention=`, 404 when it does not exist), else the current
    one; a 404 when no convention exists yet."""
    if value is not None and value != "":
        return get_object_or_404(Convention, pk=query_int(value))
    convention = Convention.objects.current()
    if convention is None:
        raise Http404("Aucune convention n'a encore été créée.")
    return convention


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def post_data(request: HttpRequest):
    """Bind a form on POST only, so that a GET shows it empty and without errors."""
    return request.POST if request.method == "POST" else None


def form_page(
    request: HttpRequest,
    form: ModelForm,
    *,
    title: str,
    success_url: Callable[[Model], str],
    cancel_url: str,
    success_message: str,
    template: str = "form_page.html",
    context: dict | None = None,
) -> HttpResponse:
    """Show `form`; on a valid POST save it, log who did it, flash `success_message` (with `{}` for the
    saved object) and redirect."""
    if request.method == "POST" and form.is_valid():
        obj = form.save()
        logger.info("%s saved %s #%s by %s", form._meta.model.__name__, obj, obj.pk, request.user)
        messages.success(request, success_message.format(obj))
        return redirect(success_url(obj))
    return render(request, template, {"form": form, "title": title, "cancel_url": cancel_url, **(context or {})})


def delete_page(request: HttpRequest, obj: Model, *, success_url: str, cancel_url: str) -> HttpResponse:
    """Ask for confirmation (GET), then delete (POST) unless other records still point to `obj`."""
    if request.method == "POST":
        try:
            obj.delete()
        except ProtectedError:
            messages.error(request, PROTECTED_DELETE)
            return redirect(cancel_url)
        logger.info("%s deleted %s by %s", type(obj).__name__, obj, request.user)
        messages.success(request, f"« {obj} » a été supprimé.")
        return redirect(success_url)
    return render(request, "confirm_delete.html", {"object": obj, "cancel_url": cancel_url})


def referential_form_page(request: HttpRequest, form: ModelForm, list_url: str, title: str) -> HttpResponse:
    """A record listed on its own page (territories, services, partners): back to the list once saved."""
    return form_page(
        request,
        form,
        title=title,
        success_url=lambda obj: list_url,
        cancel_url=list_url,
        success_message=SAVED,
    )
