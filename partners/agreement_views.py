"""Agreements with partners (conventions de partenariat, CPO, DSP, subventions): everyone signed in reads them and
sees those to renew; the coordination keeps them; only the coordination, the direction and the élus open the
signed document, which is served here and nowhere else."""

import logging
from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ctg.views.helpers import ALREADY_DELETED, SAVED, post_data, query_int, require
from partners.documents import document_response
from partners.forms_funding import AgreementFilterForm, AgreementForm
from partners.models import Agreement, Partner, renewal_horizon_days
from partners.perms import can_download_agreement_documents, can_manage_agreements, can_read_agreements
from partners.services import AgreementGone, agreement_delete, agreement_save

logger = logging.getLogger("partners")

PAGE_SIZE = 25
RENEWALS_SHOWN = 10
AGREEMENT_DELETED = "La convention « {} » a été supprimée, avec son document signé."
get_or_post = require_http_methods(["GET", "POST"])


@require_GET
def agreement_list(request):
    """Every agreement, filtered by partner type, agreement type and « à renouveler », twenty-five a page; above
    them, the agreements to renew within the horizon (`?horizon=`, 30 to 730 days)."""
    require(can_read_agreements(request.user))
    filters = AgreementFilterForm(request.GET)
    today = timezone.localdate()
    horizon = renewal_horizon_days(filters.value("horizon"))
    agreements = Agreement.objects.select_related("partner").with_renewal_due(today, horizon)
    if partner_kind := filters.value("type_partenaire"):
        agreements = agreements.filter(partner__kind=partner_kind)
    if kind := filters.value("type"):
        agreements = agreements.filter(kind=kind)
    to_renew_only = bool(filters.value("a_renouveler"))
    if to_renew_only:
        agreements = agreements.filter(renewal_due=True)
    page = Paginator(agreements.order_by("end_date", "title", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    renewals = Agreement.objects.to_renew(today, horizon).select_related("partner").order_by("end_date", "pk")
    params = request.GET.copy()
    params.pop("page", None)
    template = "partners/agreement_list.html" + ("#results" if request.htmx else "")
    return render(
        request,
        template,
        {
            "filters": filters,
            "page": page,
            "query": params.urlencode(),
            "filtered": bool(partner_kind or kind or to_renew_only),
            "horizon": horizon,
            "horizon_end": today + timedelta(days=horizon),
            "renewal_count": renewals.count(),
            "renewals": renewals[:RENEWALS_SHOWN],
            "today": today,
            "can_manage": can_manage_agreements(request.user),
            "nav_section": "partners:agreement_list",
        },
    )


@require_GET
def agreement_detail(request, pk):
    require(can_read_agreements(request.user))
    today = timezone.localdate()
    agreement = get_object_or_404(
        Agreement.objects.select_related("partner").with_renewal_due(today, renewal_horizon_days()), pk=pk
    )
    return render(
        request,
        "partners/agreement_detail.html",
        {
            "agreement": agreement,
            "actions": agreement.actions.order_by("code", "pk"),
            "horizon": renewal_horizon_days(),
            "today": today,
            "can_manage": can_manage_agreements(request.user),
            "can_download": can_download_agreement_documents(request.user),
            "nav_section": "partners:agreement_list",
        },
    )


def _agreement_form_page(request, form: AgreementForm, *, title: str, cancel_url: str):
    """Like `ctg.views.helpers.form_page`, through `agreement_save`, which also keeps the document's file."""
    if request.method == "POST":
        try:
            agreement = agreement_save(form=form, by=request.user)
        except AgreementGone as error:
            messages.error(request, str(error))
            return redirect(cancel_url)
        if agreement is not None:
            messages.success(request, SAVED.format(agreement))
            return redirect(agreement.get_absolute_url())
    return render(
        request,
        "form_page.html",
        {"form": form, "title": title, "cancel_url": cancel_url, "nav_section": "partners:agreement_list"},
    )


@get_or_post
def agreement_create(request):
    """A new agreement; `?partenaire=<id>` (the link of a partner's page) fills in the partner."""
    require(can_manage_agreements(request.user))
    partner = Partner.objects.filter(pk=query_int(request.GET.get("partenaire"))).first()
    form = AgreementForm(
        post_data(request), request.FILES or None, initial={"partner": partner.pk} if partner else None
    )
    cancel_url = partner.get_absolute_url() + "#conventions" if partner else reverse("partners:agreement_list")
    return _agreement_form_page(request, form, title="Nouvelle convention de partenariat", cancel_url=cancel_url)


@get_or_post
def agreement_edit(request, pk):
    require(can_manage_agreements(request.user))
    agreement = get_object_or_404(Agreement, pk=pk)
    form = AgreementForm(post_data(request), request.FILES or None, instance=agreement)
    return _agreement_form_page(
        request, form, title=f"Modifier « {agreement} »", cancel_url=agreement.get_absolute_url()
    )


@get_or_post
def agreement_remove(request, pk):
    """Confirm (GET), then delete the agreement and its document (POST)."""
    require(can_manage_agreements(request.user))
    agreement = get_object_or_404(Agreement, pk=pk)
    if request.method == "GET":
        return render(
            request, "confirm_delete.html", {"object": agreement, "cancel_url": agreement.get_absolute_url()}
        )
    try:
        agreement_delete(pk=agreement.pk, by=request.user)
    except AgreementGone:
        messages.info(request, ALREADY_DELETED.format(agreement))
    else:
        messages.success(request, AGREEMENT_DELETED.format(agreement))
    return redirect("partners:agreement_list")


@require_GET
def agreement_document(request, pk):
    """The signed document, as an attachment (never shown inline by the browser), to the roles allowed."""
    require(can_download_agreement_documents(request.user))
    agreement = get_object_or_404(Agreement, pk=pk)
    if not agreement.document:
        raise Http404("Cette convention n'a pas de document signé.")
    response = document_response(agreement.document, agreement.document_name)
    logger.info("Document of agreement #%s downloaded by %s", agreement.pk, request.user)
    return response
