from django import forms

from ctg.forms import StaleCheckedForm
from ctg.models import Territory
from partners.enums import PartnerKind
from partners.models import EMAIL_INVALID, Contact, Partner
from partners.validators import clean_siret, normalise_phone, validate_siret

WEBSITE_INVALID = "Saisissez une adresse de site valide, par exemple « https://www.example.org »."


class SiretField(forms.CharField):
    """Accepts the groups of digits people copy ("356 000 000 00048") and cleans them to the 14 digits stored."""

    def to_python(self, value):
        return clean_siret(super().to_python(value))


class PartnerForm(StaleCheckedForm):
    siret = SiretField(
        label="SIRET",
        required=False,
        max_length=20,
        validators=[validate_siret],
        help_text=Partner._meta.get_field("siret").help_text,
    )
    website = forms.URLField(
        label="Site internet",
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={"invalid": WEBSITE_INVALID},
    )

    class Meta:
        model = Partner
        fields = ["name", "kind", "siret", "address", "website", "territories", "notes"]
        help_texts = {
            "territories": "Les quartiers ou la commune où le partenaire intervient.",
            "notes": "Informations utiles à la coordination (pas de données personnelles : elles vont dans les "
            "contacts).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["siret"].widget.attrs |= {"inputmode": "numeric", "autocomplete": "off"}
        self.fields["territories"].queryset = Territory.objects.order_by("kind", "name")


def phone_field() -> forms.CharField:
    """The phone as typed, longer than the stored form ("+33 1 23 45 67 89"); `clean_phone` normalises it."""
    return forms.CharField(
        label="Téléphone",
        required=False,
        max_length=30,
        help_text=Contact._meta.get_field("phone").help_text,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )


class ContactForm(StaleCheckedForm):
    phone = phone_field()

    class Meta:
        model = Contact
        fields = ["name", "function", "email", "phone", "purpose"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["invalid"] = EMAIL_INVALID
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        return normalise_phone(phone) if phone else ""


class ContactAdminForm(forms.ModelForm):
    """The admin's form: the same phone input and normalisation as the app's."""

    phone = phone_field()

    class Meta:
        model = Contact
        fields = ["partner", "name", "function", "email", "phone", "purpose", "checked_at"]

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        return normalise_phone(phone) if phone else ""


class FilterForm(forms.Form):
    """A list's filters: a GET form whose wrong values are ignored rather than refused."""

    def value(self, name: str):
        """The cleaned value of a filter, None when absent or wrong."""
        if not self.is_bound:
            return None
        self.is_valid()
        value = self.cleaned_data.get(name)
        if isinstance(value, str):
            return value.strip() or None
        return value


class PartnerFilterForm(FilterForm):
    """The directory's filters."""

    q = forms.CharField(label="Nom", required=False, max_length=100)
    type = forms.ChoiceField(label="Type", required=False, choices=[("", "Tous les types"), *PartnerKind.choices])
