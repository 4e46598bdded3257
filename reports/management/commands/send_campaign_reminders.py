"""Remind the service heads of what is missing for the bilan of the year, for a scheduled job.

The campaign opens around 15 November and the bilan is due on 31 January: for instance every Monday at 8:00
from November to January (in January the default year is the previous one, whose bilan is due):
    0 8 * 11,12,1 1 cd /srv/pilote-ctg && .venv/bin/python manage.py send_campaign_reminders
"""

from django.core.management.base import BaseCommand, CommandError

from ctg.models import Convention
from reports.dates import campaign_year
from reports.reminders import ReminderError, campaign_gaps, campaign_send_reminders, sent_message


class Command(BaseCommand):
    help = (
        "Envoie à chaque responsable de service la liste de ce qui manque au bilan de l'année (relance automatique)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--convention", type=int, help="Identifiant de la convention (par défaut : la convention en cours)."
        )
        parser.add_argument("--year", type=int, help="Année du bilan (par défaut : la campagne en cours).")
        parser.add_argument("--dry-run", action="store_true", help="Affiche ce qui serait envoyé, sans rien envoyer.")

    def handle(self, *args, convention=None, year=None, dry_run=False, **options):
        convention = self._convention(convention)
        year = campaign_year() if year is None else year
        if year not in convention.years:
            raise CommandError(f"L'année {year} n'est pas couverte par la convention « {convention} ».")
        if dry_run:
            self._dry_run(convention, year)
            return
        try:
            reminders = campaign_send_reminders(convention=convention, year=year, by=None)
        except ReminderError as error:
            if error.reminders:
                self.stdout.write(sent_message(error.reminders))
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(sent_message(reminders)))

    def _convention(self, pk: int | None) -> Convention:
        if pk is None:
            convention = Convention.objects.current()
            if convention is None:
                raise CommandError("Aucune convention n'a encore été créée.")
            return convention
        try:
            return Convention.objects.get(pk=pk)
        except Convention.DoesNotExist as error:
            raise CommandError(f"Aucune convention n'a l'identifiant {pk}.") from error

    def _dry_run(self, convention: Convention, year: int) -> None:
        """What would be sent, without sending nor recording anything."""
        self.stdout.write(f"Campagne du bilan {year} – {convention} (essai : rien n'est envoyé)")
        gaps = [gap for gap in campaign_gaps(convention, year, with_indicators=True) if gap.is_missing]
        for gap in gaps:
            codes = ", ".join(action.code for action in gap.actions) or "aucune"
            lines = ", ".join(f"{line.action.code} ({line.get_funder_display()})" for line in gap.lines) or "aucune"
            indicators = ", ".join(indicator.code for indicator in gap.indicators) or "aucun"
            if gap.can_be_reminded:
                who = f"relance à {gap.head} <{gap.head.email}>"
            else:
                who = "pas de relance possible (aucun·e responsable avec une adresse électronique)"
            self.stdout.write(f"- {gap.service} : {who}")
            self.stdout.write(f"  actions sans point d'étape : {codes}")
            self.stdout.write(f"  lignes budgétaires sans réalisé : {lines}")
            self.stdout.write(f"  indicateurs sans valeur {year} : {indicators}")
        count = sum(gap.can_be_reminded for gap in gaps)
        if not gaps:
            self.stdout.write("Rien ne manque : aucune relance ne serait envoyée.")
        elif count == 1:
            self.stdout.write("1 relance serait envoyée.")
        else:
            self.stdout.write(f"{count} relances seraient envoyées.")
