"""Load the fictional Joinville-le-Pont demo CTG. Idempotent: running it again changes nothing but
resets the demo passwords. Built with the same service functions as the app."""

import logging
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from actions.enums import DEFAULT_PUBLICS
from actions.models import Action, ActionPartner, BudgetLine, Milestone, TargetPublic
from actions.services import action_record_progress
from ctg.management.commands import demo_data as data
from ctg.models import Amendment, Axis, Convention, Objective, Service, Signatory, Territory, User
from evaluation.demo import seed_evaluation
from governance.demo import seed_governance
from partners.demo import seed_partners
from partners.models import Partner
from reports.demo import seed_reports

CAF = "Caf du Val-de-Marne"


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def status_path(final: str, progress: int, count: int) -> list[tuple[str, int]]:
    """The (status, progress) of `count` points d'étape ending in the final state, each an allowed step."""
    ramp = [max(5, round(progress * (i + 1) / count / 5) * 5) for i in range(count)]
    if final in ("to_start", "postponed"):
        return [(final, 0)]
    if final == "recurring":
        return [("recurring", value) for value in ramp]
    if final == "in_progress":
        return [("in_progress", value) for value in ramp]
    steps = [("in_progress", value) for value in ramp[:-1]] or [("in_progress", progress)]
    return [*steps, (final, 100 if final == "done" else progress)]


class Command(BaseCommand):
    help = "Charge la CTG de démonstration de Joinville-le-Pont (données fictives)."

    def handle(self, *args, **options):
        # One log line per point d'étape or bilan step is noise here; the levels are restored afterwards.
        loggers = [logging.getLogger(name) for name in ("actions", "evaluation", "reports", "partners", "governance")]
        levels = [logger.level for logger in loggers]
        for logger in loggers:
            logger.setLevel(logging.WARNING)
        try:
            self.load()
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)

    def load(self):
        self.today = timezone.localdate()
        with transaction.atomic():
            services = self.services()
            users = self.users(services)
            territories = self.territories()
            partners = [
                Partner.objects.get_or_create(name=name, defaults={"kind": kind})[0] for name, kind in data.PARTNERS
            ]
            seed_partners(today=self.today)
            start_year = self.today.year - 4
            name = f"CTG Ville de Joinville-le-Pont – {CAF} {start_year}–{self.today.year}"
            if Convention.objects.filter(name=name).exists():
                self.stdout.write("La CTG de démonstration est déjà chargée.")
            else:
                self.current_convention(
                    name, start_year, territories["commune"], services, users, partners, territories
                )
                self.next_convention(territories["commune"])
                self.stdout.write(self.style.SUCCESS("CTG de démonstration chargée."))
            seed_evaluation(convention=Convention.objects.get(name=name), users=users, today=self.today)
            seed_governance(convention=Convention.objects.get(name=name), users=users, today=self.today)
            seed_reports(
                convention=Convention.objects.get(name=name),
                coordination=users["coordination"],
                direction=users["direction"],
                today=self.today,
            )
        self.stdout.write(f"Comptes de démonstration (mot de passe : « {data.PASSWORD} ») :")
        for username, user in users.items():
            self.stdout.write(f"  {username:<16} {user} – {user.get_role_display()}")

    def services(self) -> dict[str, Service]:
        services = {}
        for key, name, kind, parent in data.SERVICES:
            services[key], _ = Service.objects.update_or_create(
                name=name, defaults={"kind": kind, "parent": services.get(parent)}
            )
        return services

    def users(self, services) -> dict[str, User]:
        users = {}
        for username, first, last, role, service in data.USERS:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@joinville-demo.fr",
                    "role": role,
                    "service": services.get(service),
                    "is_staff": role == "tech_admin",
                    "is_superuser": role == "tech_admin",
                },
            )
            user.set_password(data.PASSWORD)
            user.save()
            users[username] = user
            if role == "service_head" and services[service].head_id != user.pk:
                services[service].head = user
                services[service].save()
        return users

    def territories(self) -> dict[str, Territory]:
        commune, _ = Territory.objects.get_or_create(
            kind="commune", name="Joinville-le-Pont", defaults={"code": "94042"}
        )
        districts = {
            name: Territory.objects.get_or_create(kind="district", name=name, defaults={"parent": commune})[0]
            for name in data.DISTRICTS
        }
        return {"commune": commune, **districts}

    def next_convention(self, commune):
        year = self.today.year + 1
        convention = Convention.objects.create(
            name=f"CTG Ville de Joinville-le-Pont – {CAF} {year}–{year + 4}",
            status="drafting",
            territory=commune,
            start_date=date(year, 1, 1),
            end_date=date(year + 4, 12, 31),
            description="Convention en préparation à partir du bilan de la CTG en cours et du diagnostic partagé.",
        )
        self.axes(convention, data.NEXT_AXES)

    def axes(self, convention, axes) -> dict[str, Objective]:
        objectives = {}
        for order, (code, title, theme, strategics) in enumerate(axes, start=1):
            axis = Axis.objects.create(convention=convention, code=code, title=title, theme=theme, order=order)
            for s_order, (s_code, s_title, operationals) in enumerate(strategics, start=1):
                strategic = Objective.objects.create(
                    axis=axis, level="strategic", code=s_code, title=s_title, order=s_order
                )
                for o_order, (o_code, o_title) in enumerate(operationals, start=1):
                    objectives[o_code] = Objective.objects.create(
                        axis=axis, parent=strategic, level="operational", code=o_code, title=o_title, order=o_order
                    )
        return objectives

    def current_convention(self, name, start_year, commune, services, users, partners, territories):
        start = self.convention_start = date(start_year, 1, 1)
        convention = Convention.objects.create(
            name=name,
            status="in_force",
            territory=commune,
            start_date=start,
            end_date=date(self.today.year, 12, 31),
            signed_on=date(start_year, 6, 14),
            description=(
                "Convention signée entre la Ville de Joinville-le-Pont et la Caf du Val-de-Marne. "
                "Elle fixe le projet social du territoire pour les familles et remplace le contrat enfance jeunesse."
            ),
        )
        for organisation, person, title in [
            ("Ville de Joinville-le-Pont", "Jean-Marc Duval", "maire"),
            (CAF, "Martine Lemoine", "présidente du conseil d'administration"),
            (CAF, "Anne Ferrand", "directrice"),
        ]:
            Signatory.objects.create(
                convention=convention,
                organisation=organisation,
                person=person,
                title=title,
                signed_on=convention.signed_on,
            )
        Amendment.objects.create(
            convention=convention,
            number=1,
            signed_on=date(start_year + 2, 3, 20),
            subject="Intégration de l'inclusion numérique à l'axe 4",
            description="Ajout de la fiche action « ateliers numériques » et du partenariat avec une association.",
        )
        objectives = self.axes(convention, data.AXES)
        publics = {
            label: TargetPublic.objects.get_or_create(label=label, defaults={"order": order})[0]
            for order, label in enumerate(DEFAULT_PUBLICS, start=1)
        }
        heads = {user.service_id: user for user in users.values() if user.service_id}
        for index, row in enumerate(data.ACTIONS):
            self.action(index, row, objectives, services, heads, users["coordination"], partners, publics, territories)

    def action(self, index, row, objectives, services, heads, coordination, partners, publics, territories):
        (
            code,
            objective,
            title,
            service,
            status,
            progress,
            start,
            end,
            last,
            action_partners,
            action_publics,
            districts,
            description,
        ) = row
        rng = random.Random(code)
        start_date = max(self.today + timedelta(days=start), self.convention_start + timedelta(days=45))
        action = Action(
            code=code,
            title=title,
            objective=objectives[objective],
            convention=objectives[objective].axis.convention,
            pilot_service=services[service],
            pilot_name=str(heads.get(services[service].pk, coordination)),
            description=description,
            finding="Constat issu du diagnostic partagé de la CTG.",
            start_date=start_date,
            end_date=self.today + timedelta(days=end) if end is not None else None,
            priority=rng.choice(["high", "medium", "medium", "low"]),
            participation=rng.choice(["none", "information", "consultation", "concertation"]),
            created_at=at(start_date),
        )
        action._history_user, action._history_date = coordination, at(start_date)
        action.save()
        action.publics.set([publics[label] for label in action_publics])
        action.territories.set([territories[name] for name in districts])
        self.by, self.on = coordination, at(start_date)
        for partner_index, role in action_partners:
            self.create(ActionPartner, action=action, partner=partners[partner_index], role=role)
        self.milestones(action, status, start_date, rng)
        self.budget(action, start_date, rng)
        author = heads.get(services[service].pk, coordination)
        if last is not None:
            self.points(action, author, status, progress, start_date, self.today - timedelta(days=last))

    def create(self, model, **fields):
        """Create a tracked record as the coordination did, on the action's start date."""
        obj = model(**fields)
        obj._history_user, obj._history_date = self.by, self.on
        obj.save()
        return obj

    def points(self, action, author, status, progress, start_date, last_date):
        first = min(start_date + timedelta(days=30), last_date)
        count = max(1, min(6, (last_date - first).days // 150 + 1))
        path = status_path(status, progress, count)
        span = (last_date - first).days
        for step, (step_status, step_progress) in enumerate(path):
            day = first + timedelta(days=span * step // max(1, len(path) - 1)) if len(path) > 1 else last_date
            done, difficulties, next_steps = data.PROGRESS_NOTES[step % len(data.PROGRESS_NOTES)]
            action_record_progress(
                action=action,
                by=author,
                status=step_status,
                progress=step_progress,
                done=done,
                difficulties=difficulties,
                next_steps=next_steps,
                recorded_at=at(day),
            )

    def milestones(self, action, status, start_date, rng):
        launch = start_date + timedelta(days=60)
        self.create(
            Milestone,
            action=action,
            title="Lancement avec les partenaires",
            due_on=launch,
            done_on=launch if launch < self.today and status != "to_start" else None,
        )
        review = start_date + timedelta(days=rng.randint(300, 700))
        self.create(
            Milestone,
            action=action,
            title="Bilan d'étape en COTECH",
            due_on=review,
            done_on=review if review < self.today - timedelta(days=200) else None,
        )

    def budget(self, action, start_date, rng):
        funders = ["commune", "caf_bonus"] if rng.random() < 0.7 else ["commune"]
        for year in range(start_date.year, self.today.year + 1):
            for funder in funders:
                planned = Decimal(rng.randrange(2_000, 40_000, 500))
                actual = (
                    None
                    if year == self.today.year
                    else (planned * Decimal(rng.uniform(0.7, 1.05))).quantize(Decimal("1"))
                )
                self.create(
                    BudgetLine,
                    action=action,
                    year=year,
                    nature="operating",
                    funder=funder,
                    planned=planned,
                    actual=actual,
                )
