"""The partner directory: everyone signed in reads it; the coordination keeps it, and alone sees the contacts
(personal data)."""

from functools import partial

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ctg.models import Territory
from ctg.panels import render_panels
from ctg.views.helpers import ALREADY_DELETED, SAVED, form_page, post_data, require
from partners.forms import ContactForm, PartnerFilterForm, PartnerForm
from partners.models import CHECK_EVERY_MONTHS, Contact, Partner, renewal_horizon_days
from partners.perms import can_manage_agreements, can_manage_partners, can_read_partners, can_see_contacts
from partners.services import ContactGone, contact_delete, contact_mark_checked

PAGE_SIZE = 25
ROLES_PAGE_SIZE = 20  # the actions a partner takes part in, on its page
CHECKED = "Coordonnées de « {} » vérifiées aujourd'hui."
CONTACT_DELETED = "Le contact « {} » a été supprimé, avec l'historique de ses coordonnées."
get_or_post = require_http_methods(["GET", "POST"])


def _contacts_url(partner_id: int) -> str:
    return reverse("partners:detail", args=[partner_id]) + "#contacts"


@require_GET
def partner_list(request):
    """The directory, searched by name and filtered by type, twenty-five a page."""
    require(can_read_partners(request.user))
    filters = PartnerFilterForm(request.GET)
    partners = Partner.objects.all()
    if query := filters.value("q"):
        partners = partners.filter(name__icontains=query)
    if kind := filters.value("type"):
        partners = partners.filter(kind=kind)
    paginator = Paginator(partners.annotate(action_count=Count("action_roles")).order_by("name", "pk"), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    template = "partners/partner_list.html" + ("#results" if request.htmx else "")
    return render(
        request,
        template,
        {
            "filters": filters,
            "page": page,
            "query": params.urlencode(),
            "filtered": bool(query or kind),
            "can_manage": can_manage_partners(request.user),
        },
    )


@require_GET
def partner_detail(request, pk):
    """A partner, the actions it takes part in with its role, its agreements, the facilities it manages, and its
    contacts for those who may see them: a fixed number of queries whatever their numbers."""
    require(can_read_partners(request.user))
    partner = get_object_or_404(
        Partner.objects.prefetch_related(Prefetch("territories", Territory.objects.order_by("kind", "name"))), pk=pk
    )
    roles = partner.action_roles.select_related("action__convention").order_by(
        "-action__convention__start_date", "action__code", "pk"
    )
    roles = Paginator(roles, ROLES_PAGE_SIZE).get_page(request.GET.get("page"))
    show_contacts = can_see_contacts(request.user)
    return render(
        request,
        "partners/partner_detail.html",
        {
            "partner": partner,
            "roles": roles,
            "agreements": partner.agreements.with_renewal_due(timezone.localdate(), renewal_horizon_days()).order_by(
                "-end_date", "pk"
            ),
            "facilities": partner.facilities.select_related("district").order_by("name", "pk"),
            "can_manage_agreements": can_manage_agreements(request.user),
            "contacts": partner.contacts.with_check_due() if show_contacts else None,
            "show_contacts": show_contacts,
            "check_every_months": CHECK_EVERY_MONTHS,
            "can_manage": can_manage_partners(request.user),
            # Called by the template: the other apps' panels (the meetings attended, from governance).
            "panels": partial(render_panels, "partner", partner, request.user),
        },
    )


@get_or_post
def partner_create(request):
    require(can_manage_partners(request.user))
    form = PartnerForm(post_data(request))
    return form_page(
        request,
        form,
        title="Ajouter un partenaire",
        success_url=lambda partner: partner.get_absolute_url(),
        cancel_url=reverse("partners:list"),
        success_message=SAVED,
    )


@get_or_post
def partner_edit(request, pk):
    require(can_manage_partners(request.user))
    partner = get_object_or_404(Partner, pk=pk)
    form = PartnerForm(post_data(request), instance=partner)
    return form_page(
        request,
        form,
        title=f"Modifier « {partner} »",
        success_url=lambda saved: saved.get_absolute_url(),
        cancel_url=partner.get_absolute_url(),
        success_message=SAVED,
    )


def _contact_form(request, form: ContactForm, partner: Partner, title: str):
    return form_page(
        request,
        form,
        title=title,
        success_url=lambda contact: _contacts_url(contact.partner_id),
        cancel_url=_contacts_url(partner.pk),
        success_message=SAVED,
        template="partners/contact_form.html",
        context={"partner": partner},
    )


@get_or_post
def contact_create(request, pk):
    require(can_see_contacts(request.user))
    partner = get_object_or_404(Partner, pk=pk)
    form = ContactForm(post_data(request), instance=Contact(partner=partner))
    return _contact_form(request, form, partner, f"Nouveau contact chez « {partner} »")


@get_or_post
def contact_edit(request, pk):
    require(can_see_contacts(request.user))
    contact = get_object_or_404(Contact.objects.select_related("partner"), pk=pk)
    form = ContactForm(post_data(request), instance=contact)
    return _contact_form(request, form, contact.partner, f"Modifier le contact « {contact} »")


@get_or_post
def contact_remove(request, pk):
    """Confirm (GET), then delete the contact and its history (POST)."""
    require(can_see_contacts(request.user))
    contact = get_object_or_404(Contact.objects.select_related("partner"), pk=pk)
    if request.method == "GET":
        return render(
            request, "confirm_delete.html", {"object": contact, "cancel_url": _contacts_url(contact.partner_id)}
        )
    try:
        contact_delete(pk=contact.pk, by=request.user)
    except ContactGone:
        messages.info(request, ALREADY_DELETED.format(contact))
    else:
        messages.success(request, CONTACT_DELETED.format(contact))
    return redirect(_contacts_url(contact.partner_id))


@require_POST
def contact_checked(request, pk):
    """« Vérifié aujourd'hui » : the coordination confirms the contact's details are still right."""
    require(can_see_contacts(request.user))
    contact = get_object_or_404(Contact, pk=pk)
    try:
        contact_mark_checked(pk=contact.pk, by=request.user)
    except ContactGone as error:
        messages.error(request, str(error))
    else:
        messages.success(request, CHECKED.format(contact))
    return redirect(_contacts_url(contact.partner_id))
