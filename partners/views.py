from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ctg.perms import can_manage_ctg
from ctg.views.helpers import post_data, referential_form_page, require
from partners.forms import PartnerForm
from partners.models import Partner


@require_GET
def partner_list(request):
    partners = Partner.objects.annotate(action_count=Count("action_roles"))
    return render(
        request, "partners/partner_list.html", {"partners": partners, "can_manage": can_manage_ctg(request.user)}
    )


@require_http_methods(["GET", "POST"])
def partner_create(request):
    require(can_manage_ctg(request.user))
    form = PartnerForm(post_data(request))
    return referential_form_page(request, form, reverse("partners:list"), "Ajouter un partenaire")


@require_http_methods(["GET", "POST"])
def partner_edit(request, pk):
    require(can_manage_ctg(request.user))
    partner = get_object_or_404(Partner, pk=pk)
    form = PartnerForm(post_data(request), instance=partner)
    return referential_form_page(request, form, reverse("partners:list"), f"Modifier « {partner} »")
