from django.db import models
from django.urls import reverse

from partners.enums import PartnerKind


class Partner(models.Model):
    name = models.CharField("nom", max_length=200, unique=True)
    kind = models.CharField("type", max_length=20, choices=PartnerKind.choices)

    class Meta:
        verbose_name = "partenaire"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partners:edit", args=[self.pk])
