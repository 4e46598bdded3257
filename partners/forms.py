from ctg.forms import CtgModelForm
from partners.models import Partner


class PartnerForm(CtgModelForm):
    class Meta:
        model = Partner
        fields = ["name", "kind"]
