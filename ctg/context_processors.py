from django.conf import settings


def site(request):
    match = request.resolver_match
    return {
        "demo_banner": settings.CTG_DEMO_BANNER,
        "nav_section": match.view_name if match else "",
    }
