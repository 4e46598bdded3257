"""The admin of the agreements, facilities and funding lines: its pages load, with their history."""

import pytest
from django.urls import reverse

from tests.partners.factories import AgreementFactory, FundingLineFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["agreement", "facility", "fundingline"])
def test_pages_load(client_for, model):
    line = FundingLineFactory()
    objects = {"agreement": AgreementFactory(), "facility": line.facility, "fundingline": line}
    client = client_for("tech_admin")
    pk = objects[model].pk
    for url in (
        reverse(f"admin:partners_{model}_changelist"),
        reverse(f"admin:partners_{model}_add"),
        reverse(f"admin:partners_{model}_change", args=[pk]),
        reverse(f"admin:partners_{model}_history", args=[pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_the_admin_checks_the_rules_too(client_for):
    agreement = AgreementFactory()
    url = reverse("admin:partners_agreement_change", args=[agreement.pk])
    data = {
        "partner": agreement.partner_id,
        "kind": "cpo",
        "title": "Modifiée",
        "start_date": "2026-01-01",
        "end_date": "2025-01-01",
        "notice_months": "0",
    }
    response = client_for("tech_admin").post(url, data)
    assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.title != "Modifiée"
