from django.conf import settings


def site(request):
    return {"demo_banner": settings.CTG_DEMO_BANNER}
