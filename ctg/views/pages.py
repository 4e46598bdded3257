from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from ctg.enums import Role
from ctg.models import Convention, Service, Territory
from ctg.perms import can_manage_ctg


@require_GET
def home(request):
    """Each role lands on its own page: the direction and the élus on the steering dashboard, service heads
    on their actions, the coordination and the technical administrator on the CTG."""
    if request.user.role in (Role.DIRECTION, Role.ELECTED):
        return redirect("reports:dashboard")
    if request.user.is_service_head:
        return redirect("actions:mine")
    return redirect("ctg:current")


@require_GET
def current(request):
    convention = Convention.objects.current()
    if convention is None:
        return redirect("ctg:convention_list")
    return redirect(convention)


@require_GET
def convention_list(request):
    conventions = Convention.objects.select_related("territory")
    return render(
        request, "ctg/convention_list.html", {"conventions": conventions, "can_manage": can_manage_ctg(request.user)}
    )


@require_GET
def territory_list(request):
    territories = Territory.objects.select_related("parent")
    return render(
        request, "ctg/territory_list.html", {"territories": territories, "can_manage": can_manage_ctg(request.user)}
    )


@require_GET
def service_list(request):
    services = Service.objects.select_related("parent", "head")
    return render(request, "ctg/service_list.html", {"services": services, "can_manage": can_manage_ctg(request.user)})
