from django.apps import AppConfig


class CtgConfig(AppConfig):
    name = "ctg"
    verbose_name = "Convention territoriale globale"
