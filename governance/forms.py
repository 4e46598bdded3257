"""Forms of the bodies, meetings, agendas, attendance and decisions."""

import operator
import re
from functools import reduce

from django import forms
from django.db.models import Q

from actions.models import Action
from ctg.enums import Role
from ctg.forms import CtgModelForm
from ctg.models import Convention, User
from governance.enums import ALLOWED_TRANSITIONS, AttendanceStatus, MeetingStatus
from governance.models import (
    END_BEFORE_START,
    OWNER_REQUIRED,
    AgendaItem,
    Attendance,
    Body,
    Decision,
    Meeting,
    MeetingAttachment,
)
from partners.documents import ACCEPT, EXTENSIONS_TEXT, max_bytes, size_text
from partners.models import Contact

STATUS_NOT_ALLOWED = "Une réunion « {current} » ne peut pas passer au statut « {new} »."
AGENDA_ITEM_EMPTY = "Donnez un intitulé au point, ou choisissez la fiche action dont il traite."
ATTACHMENT_REQUIRED = "Choisissez le fichier à joindre."
ATTACHMENT_HELP = (
    "PDF ou document bureautique ({extensions}), {limit} au plus. Toute personne connectée qui consulte la réunion "
    "peut le télécharger."
)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def people():
    """The users a body may count as members or a decision as owner: every account but the technical one."""
    return User.objects.filter(is_active=True).exclude(role=Role.TECH_ADMIN).order_by("last_name", "first_name")


UNKNOWN_CODES = "Aucune fiche action de cette CTG n'a pour code : {codes}."
ONE_CODE = "Indiquez le code d'une seule fiche action."


class ActionCodesField(forms.Field):
    """Fiches actions typed by their codes ("FA1.2, FA3.4", in any case): a plan of hundreds of actions is no
    list to choose from, and a COPIL's minutes cite the codes. Cleans to the actions of `queryset`, in the
    order typed; `single` takes one code at most and cleans to an action or None."""

    widget = forms.TextInput

    def __init__(self, *, queryset, single: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.queryset, self.single = queryset, single
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def prepare_value(self, value):
        if isinstance(value, str) or value is None:
            return value
        values = value if isinstance(value, list | tuple | set) else [value]
        pks = [item for item in values if not isinstance(item, Action)]  # an unsaved form's initial: primary keys
        actions = [item for item in values if isinstance(item, Action)] + list(self.queryset.filter(pk__in=pks))
        return ", ".join(action.code for action in actions)

    def clean(self, value):
        codes = [code for code in re.split(r"[\s,;]+", value or "") if code]
        if not codes:
            super().clean("")  # "required" when it is
            return None if self.single else []
        if self.single and len(codes) > 1:
            raise forms.ValidationError(ONE_CODE, code="several")
        typed = reduce(operator.or_, (Q(code__iexact=code) for code in codes))
        found = {action.code.casefold(): action for action in self.queryset.filter(typed)}
        unknown = [code for code in codes if code.casefold() not in found]
        if unknown:
            raise forms.ValidationError(UNKNOWN_CODES.format(codes=", ".join(unknown)), code="unknown")
        actions = list({code.casefold(): found[code.casefold()] for code in codes}.values())
        return actions[0] if self.single else actions

    def has_changed(self, initial, data):
        return self.prepare_value(initial) != data


class ContactChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.partner.name})"


class BodyForm(CtgModelForm):
    class Meta:
        model = Body
        fields = ["kind", "name", "axis", "description", "users", "contacts"]
        field_classes = {"contacts": ContactChoiceField}
        help_texts = {"axis": "Pour une commission thématique ou un groupe de travail : l'axe dont elle traite."}

    def __init__(self, *args, convention: Convention, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["axis"].queryset = convention.axes.order_by("order", "code")
        self.fields["users"].queryset = people()
        self.fields["contacts"].queryset = Contact.objects.select_related("partner").order_by("partner__name", "name")


class MeetingForm(CtgModelForm):
    visio_url = forms.URLField(
        label="Lien de visio",
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text="Pour une réunion en visio ou hybride : le lien de connexion.",
    )

    class Meta:
        model = Meeting
        fields = ["date", "start_time", "end_time", "place", "mode", "visio_url", "status", "minutes"]
        widgets = {"start_time": TimeInput, "end_time": TimeInput, "minutes": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "status": "Une réunion prévue devient tenue (ou annulée) ; une réunion annulée peut être reprogrammée.",
            "minutes": "Le compte rendu, une fois la réunion tenue.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial_status = self.instance.status if self.instance.pk else None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end < start:
            self.add_error("end_time", END_BEFORE_START)
        new = cleaned.get("status")
        current = self.initial_status
        if new and current and new != current and new not in ALLOWED_TRANSITIONS[current]:
            self.add_error(
                "status",
                STATUS_NOT_ALLOWED.format(current=MeetingStatus(current).label, new=MeetingStatus(new).label),
            )
        return cleaned


class AgendaItemForm(CtgModelForm):
    prefix = "agenda"

    class Meta:
        model = AgendaItem
        fields = ["title", "action", "notes"]
        help_texts = {"title": "Facultatif quand le point porte sur une fiche action : son code et son intitulé."}

    def __init__(self, *args, convention: Convention, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["action"] = ActionCodesField(
            queryset=Action.objects.active().of_convention(convention),
            single=True,
            required=False,
            label="Fiche action",
            help_text="Son code, par exemple FA1.2 (facultatif).",
        )

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if not cleaned.get("title"):
            if action is None:
                if "action" not in self.errors:
                    self.add_error("title", AGENDA_ITEM_EMPTY)
            else:
                cleaned["title"] = f"{action.code} – {action.title}"
                self.instance.title = cleaned["title"]
        return cleaned


class AttendanceForm(forms.Form):
    """Every invitee of a meeting on one form: one status per person."""

    def __init__(self, *args, attendances: list[Attendance], **kwargs):
        super().__init__(*args, **kwargs)
        self.attendances = attendances
        for attendance in attendances:
            self.fields[f"status_{attendance.pk}"] = forms.ChoiceField(
                label=str(attendance.person), choices=AttendanceStatus.choices, initial=attendance.status
            )

    def rows(self):
        return [(attendance, self[f"status_{attendance.pk}"]) for attendance in self.attendances]

    def statuses(self) -> dict[int, str]:
        return {attendance.pk: self.cleaned_data[f"status_{attendance.pk}"] for attendance in self.attendances}


class DecisionForm(CtgModelForm):
    prefix = "decision"

    class Meta:
        model = Decision
        fields = ["text", "owner", "due_on", "actions"]
        error_messages = {"owner": {"required": OWNER_REQUIRED, "invalid_choice": OWNER_REQUIRED}}
        help_texts = {"owner": "La personne qui rendra compte de la décision : elle la voit sur « Mes actions »."}

    def __init__(self, *args, convention: Convention, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people()
        actions = Action.objects.of_convention(convention).filter(
            Q(archived_at__isnull=True) | Q(pk__in=self.instance.actions.all() if self.instance.pk else [])
        )
        self.fields["actions"] = ActionCodesField(
            queryset=actions,
            required=False,
            label="Fiches actions concernées",
            help_text="Leurs codes, séparés par des virgules : FA1.2, FA3.4.",
        )


class AttachmentForm(CtgModelForm):
    """A file joined to a meeting: checked by `partners.documents.validate_document` (extension, first bytes,
    size), like the signed documents of the agreements. Without a title, the file's name is used."""

    prefix = "attachment"

    class Meta:
        model = MeetingAttachment
        fields = ["file", "title"]
        widgets = {"file": forms.FileInput(attrs={"accept": ACCEPT})}
        error_messages = {"file": {"required": ATTACHMENT_REQUIRED}}
        help_texts = {"title": "Facultatif : le nom du fichier par défaut."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        limit = size_text(max_bytes())
        self.fields["file"].help_text = ATTACHMENT_HELP.format(extensions=EXTENSIONS_TEXT, limit=limit)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if not cleaned.get("title") and upload:
            name = upload.name.rsplit("/", 1)[-1]
            cleaned["title"] = self.instance.title = name.rsplit(".", 1)[0][:200] or name[:200]
        return cleaned
