from ctg.forms import StaleCheckedForm
from partners.models import Partner


class PartnerForm(StaleCheckedForm):
    class Meta:
        model = Partner
        fields = ["name", "kind"]
