"""Small building blocks shared by the create / edit / delete pages of every app."""

import logging
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, connection, transaction
from django.db.models import Model, ProtectedError, RestrictedError
from django.forms import BaseForm, ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from ctg.models import Convention
from ctg.session_replay import replayed_data

logger = logging.getLogger("ctg")

SAVED = "Enregistré : « {} »."
PROTECTED_DELETE = "Suppression impossible : d'autres éléments y sont rattachés. Détachez-les d'abord."
CONCURRENT_CHANGE = (
    "Une autre personne vient d'enregistrer une modification incompatible avec la vôtre : rien n'a été "
    "enregistré. Vérifiez, puis enregistrez à nouveau."
)
GONE = "« {} » vient d'être supprimé par une autre personne : rien n'a été enregistré."
ALREADY_DELETED = "« {} » avait déjà été supprimé."


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
    """Bind a form on POST only, so that a GET shows it empty and without errors; except the first GET after
    a login forced by an expired session, which shows what the user had typed (see `ctg.session_replay`)."""
    return request.POST if request.method == "POST" else replayed_data(request)


def lock_instance(instance: Model) -> bool:
    """Lock the row `instance` was read from until the end of the request, and read it again: the form is then
    checked against what is really saved, and nobody can change it before this request commits. False when the
    row was deleted meanwhile."""
    try:
        instance.refresh_from_db(from_queryset=type(instance)._default_manager.select_for_update())
    except ObjectDoesNotExist:
        return False
    return True


def check_references_now() -> None:
    """PostgreSQL checks foreign keys at commit (Django declares them deferred), that is once the view has
    answered: a row this write points to, deleted meanwhile, would turn the commit into a 500. Checked now,
    inside the caller's savepoint, it is an `IntegrityError` the caller answers; the check also waits for a
    deletion under way. SQLite runs one writing transaction at a time: nothing to check."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def add_form_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a model's `ValidationError` on `form`: next to the field when the form has it, else above."""
    items = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    for name, texts in items:
        form.add_error(name if name in form.fields else None, texts)


def broken_rule(instance: Model) -> ValidationError:
    """After an `IntegrityError`: what the model's unique and check constraints say of `instance` now that the
    conflicting row is committed (their French messages), else a general message."""
    try:
        instance.validate_unique()
        instance.validate_constraints()
    except ValidationError as error:
        return error
    return ValidationError(CONCURRENT_CHANGE)


def save_owned_fields(form: ModelForm) -> Model:
    """A new row is inserted whole; an existing one gets only the form's own fields, never a copy of the
    others (a status, an archiving date) that other writes own."""
    if form.instance._state.adding:
        return form.save()
    obj = form.save(commit=False)
    concrete = {field.name for field in obj._meta.concrete_fields}
    obj.save(update_fields=[name for name in form.fields if name in concrete])
    form.save_m2m()
    return obj


def save_form(form: ModelForm, save: Callable[[], Model] | None = None) -> Model | None:
    """Save a valid form (with `save`, `form.save` by default) in a savepoint. A rule someone else broke
    meanwhile (a unique value just taken, a row pointed to just deleted) comes back as the form's own message:
    the form is checked again against the committed rows, and None is returned with the form's errors set."""
    adding = form.instance._state.adding
    try:
        with transaction.atomic():
            obj = (save or form.save)()
            check_references_now()
            return obj
    except IntegrityError as error:
        logger.info("%s not saved, changed meanwhile: %s", form._meta.model.__name__, error)
        if adding:  # the row may have been inserted before the savepoint was rolled back
            form.instance.pk, form.instance._state.adding = None, True
        form.full_clean()
        if not form.errors:
            form.add_error(None, CONCURRENT_CHANGE)
        return None


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
    saved object) and redirect.

    An edit locks and re-reads its row before checking the form, and writes only the form's fields; a row
    deleted meanwhile, or a rule broken meanwhile by someone else, comes back as a French message. The form's
    checks see the row as saved: a `ctg.forms.StaleCheckedForm` finds there what someone else saved since it was
    served, and is shown again instead of overwriting it."""
    if request.method == "POST":
        if form.instance.pk is not None and not lock_instance(form.instance):
            messages.error(request, GONE.format(form.instance))
            return redirect(cancel_url)
        if form.is_valid() and (obj := save_form(form, lambda: save_owned_fields(form))) is not None:
            logger.info("%s saved %s #%s by %s", form._meta.model.__name__, obj, obj.pk, request.user)
            messages.success(request, success_message.format(obj))
            return redirect(success_url(obj))
    return render(request, template, {"form": form, "title": title, "cancel_url": cancel_url, **(context or {})})


def delete_page(request: HttpRequest, obj: Model, *, success_url: str, cancel_url: str) -> HttpResponse:
    """Ask for confirmation (GET), then delete (POST) unless other records still point to `obj`.

    The row is locked first, so that a record attached to it meanwhile is seen (and protects it); deleted
    meanwhile (a double click), it is said so."""
    if request.method == "POST":
        if not lock_instance(obj):
            messages.info(request, ALREADY_DELETED.format(obj))
            return redirect(success_url)
        try:
            with transaction.atomic():
                obj.delete()
                check_references_now()
        except (ProtectedError, RestrictedError, IntegrityError):
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


def page_of(queryset, keys, number, *, size: int, count: int | None = None) -> Page:
    """The page `number` of the rows `keys` (in that order), read from the annotated queryset they came from,
    so that its annotations (the last point d'étape and the flags of an action, the figures of an indicator)
    are computed for the rows shown only.

    `keys` is a list or a `values_list("pk", flat=True)` queryset. The action lists read the keys of every
    action their filters keep in one query, cheap even for thousands of actions: the filters are then evaluated
    once, for the count and the page alike, with no DISTINCT nor whole annotated rows to sort. A queryset is
    counted (unless the caller counted its rows already: `count`), then only its page is read."""
    paginator = Paginator(keys, size)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(number)
    shown = list(page.object_list)
    rows = queryset.filter(pk__in=shown).order_by().in_bulk()
    page.object_list = [rows[key] for key in shown]
    return page
