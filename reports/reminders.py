"""The bilan campaign of a year: what each pilot service still owes, and the reminders e-mailed to its head.

What is missing is read once for the whole convention through `actions.selectors` (the same counts as the
dashboard) and split per service in Python, so the page, the e-mails and the scheduled command cost the same
handful of queries whatever the size of the plan. With the indicators: the values of the year still to enter
(`IndicatorQuerySet.awaited`, as the dashboard and the entry grid count them), one query more.
"""

import logging
import re
import smtplib
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, BudgetLine
from actions.selectors import ServiceCampaign, campaign_actions, missing_actual_lines, service_campaigns
from ctg.models import Convention, Service, User
from evaluation.models import Indicator
from reports.bilan import alphabetical
from reports.dashboard_evaluation import grid_url
from reports.dates import bilan_due_on
from reports.models import Reminder

logger = logging.getLogger("reports")

NOTHING_MISSING = "Rien ne manque : aucune relance envoyée."
NOBODY_TO_REMIND = (
    "Aucune relance envoyée : aucun des services à compléter n'a de responsable avec une adresse électronique. "
    "Désignez-en un·e dans les référentiels."
)
SENT = "{count} relance{s} envoyée{s} : {names}."
UNREACHABLE = (
    "Relance impossible à envoyer à {names} : adresse refusée ou serveur de messagerie injoignable. "
    "Réessayez plus tard ou prévenez directement."
)
JUST_SENT = (
    "Une relance de la campagne {year} vient d'être envoyée (le {when}) : attendez quelques minutes avant de "
    "relancer, pour ne pas envoyer deux fois le même message."
)
# A second click, or two coordinators at once, must not e-mail every service head twice.
RESEND_DELAY = timedelta(minutes=2)


class ReminderError(Exception):
    """A French message for the user. `reminders` holds those sent and recorded before the problem."""

    def __init__(self, message: str, reminders: list[Reminder] | None = None):
        super().__init__(message)
        self.message = message
        self.reminders = reminders or []


@dataclass
class ServiceGap:
    """What a pilot service still owes the bilan campaign of a year."""

    campaign: ServiceCampaign
    actions: list[Action] = field(default_factory=list)  # without a point d'étape dated in the year
    lines: list[BudgetLine] = field(default_factory=list)  # budget lines of the year without réalisé
    indicators: list[Indicator] = field(default_factory=list)  # entered by the service, without a value of the year
    grid_url: str = ""  # the service's entry grid of the year's values (read `with_indicators`)

    @property
    def service(self) -> Service:
        return self.campaign.service

    @property
    def head(self) -> User | None:
        return self.service.head

    @property
    def is_missing(self) -> bool:
        return bool(self.actions or self.lines or self.indicators)

    @property
    def can_be_reminded(self) -> bool:
        """Something is missing and someone can be told: a head with an e-mail address."""
        return self.is_missing and self.head is not None and bool(self.head.email)


def campaign_gaps(convention: Convention, year: int, *, with_indicators: bool = False) -> list[ServiceGap]:
    """Per pilot service of the campaign (by name), its actions without a point d'étape dated in `year` and
    its budget lines of `year` without réalisé (5 queries whatever the size of the plan); `with_indicators`,
    also the indicators it enters still without a value of `year` (1 query more), a service owing only
    those joining the list."""
    gaps = {campaign.service.pk: ServiceGap(campaign) for campaign in service_campaigns(convention, year)}
    actions = (
        campaign_actions(convention, year).filter(updated_in_year=False).with_last_update().order_by("code", "pk")
    )
    lines = missing_actual_lines(convention, year).select_related("action").order_by("action__code", "funder", "pk")
    # A row created between these queries has no service summary yet: it waits for the next reading.
    for action in actions:
        if gap := gaps.get(action.pilot_service_id):
            gap.actions.append(action)
    for line in lines:
        if gap := gaps.get(line.action.pilot_service_id):
            gap.lines.append(line)
    if with_indicators:
        return _with_missing_values(gaps, convention, year)
    return list(gaps.values())


def _with_missing_values(gaps: dict[int, ServiceGap], convention: Convention, year: int) -> list[ServiceGap]:
    """Give each gap its entry grid and the indicators its service enters still without a value of `year`
    (1 query); a service owing only such values joins the list, still by name."""
    indicators = (
        Indicator.objects.of_convention(convention)
        .awaited()
        .missing_value(year)
        .select_related("action", "service__head", "action__pilot_service__head")
        .order_by("code", "pk")
    )
    joined = False
    for gap in gaps.values():
        gap.grid_url = grid_url(convention, year, gap.service.pk)
    for indicator in indicators:
        service = indicator.service if indicator.service_id else indicator.action.pilot_service
        if service.pk not in gaps:
            empty = ServiceCampaign(
                service=service, actions=0, updated=0, budgeted=0, actual_entered=0, missing_actual_lines=0
            )
            gaps[service.pk], joined = ServiceGap(empty, grid_url=grid_url(convention, year, service.pk)), True
        gaps[service.pk].indicators.append(indicator)
    if joined:
        return sorted(gaps.values(), key=lambda gap: alphabetical(gap.service.name))
    return list(gaps.values())


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _render_email(gap: ServiceGap, *, convention: Convention, year: int, by: User | None) -> tuple[str, str]:
    context = {
        "convention": convention,
        "year": year,
        "due_on": bilan_due_on(year),
        "service": gap.service,
        "head": gap.head,
        "actions": [(action, absolute_url(action.get_absolute_url())) for action in gap.actions],
        "lines": [(line, absolute_url(line.action.get_absolute_url())) for line in gap.lines],
        "indicators": gap.indicators,
        "grid_url": absolute_url(gap.grid_url) if gap.grid_url else "",
        "my_actions_url": absolute_url(reverse("actions:mine")),
        "by": by,
    }
    subject = " ".join(render_to_string("reports/email/reminder_subject.txt", context).split())[:250]
    body = re.sub(r"\n{3,}", "\n\n", render_to_string("reports/email/reminder_body.txt", context)).strip() + "\n"
    return subject, body


def _names(gaps: list[ServiceGap]) -> str:
    return ", ".join(f"{gap.head} ({gap.service})" for gap in gaps)


def sent_message(reminders: list[Reminder]) -> str:
    if not reminders:
        return NOTHING_MISSING
    names = ", ".join(f"{reminder.recipient} ({reminder.service})" for reminder in reminders)
    return SENT.format(count=len(reminders), s="s" if len(reminders) > 1 else "", names=names)


def campaign_send_reminders(*, convention: Convention, year: int, by: User | None) -> list[Reminder]:
    """E-mail each service head the exact list of what is missing from their service for the bilan of `year`,
    and record one `Reminder` per e-mail. `by` is None for the scheduled job.

    Only services with something missing and a head with an e-mail address are written to. An e-mail the
    server refuses does not stop the others: they are sent and recorded, then `ReminderError` names who could
    not be reached. Returns [] when nothing is missing; `ReminderError` when what is missing has nobody to
    be told.
    """
    reminders: list[Reminder] = []
    unreachable: list[ServiceGap] = []
    with transaction.atomic():
        # Lock the convention: two sends of the same campaign run one after the other, and the second one sees
        # the first one's reminders. "No key" (FOR NO KEY UPDATE on PostgreSQL): while the e-mails go out, rows
        # pointing to the convention (a new fiche action, axis, signatory) may still be written.
        convention = Convention.objects.select_for_update(no_key=True).get(pk=convention.pk)
        last = Reminder.objects.filter(convention=convention, year=year).order_by("-sent_at").first()
        if last is not None and timezone.now() - last.sent_at < RESEND_DELAY:
            when = timezone.localtime(last.sent_at).strftime("%d/%m/%Y à %H:%M")
            raise ReminderError(JUST_SENT.format(year=year, when=when))
        gaps = [gap for gap in campaign_gaps(convention, year, with_indicators=True) if gap.is_missing]
        if gaps and not any(gap.can_be_reminded for gap in gaps):
            raise ReminderError(NOBODY_TO_REMIND)
        for gap in gaps:
            if not gap.can_be_reminded:
                continue
            subject, body = _render_email(gap, convention=convention, year=year, by=by)
            reminder = Reminder(
                convention=convention,
                year=year,
                service=gap.service,
                recipient=gap.head,
                email=gap.head.email,
                sent_by=by,
                missing_updates=len(gap.actions),
                missing_actuals=len(gap.lines),
                missing_values=len(gap.indicators),
                subject=subject,
                body=body,
            )
            try:
                reminder.full_clean()
                send_mail(subject, body, None, [reminder.email])
            except (ValidationError, OSError, smtplib.SMTPException):
                logger.exception("Reminder %s not sent to %s <%s>", year, gap.head, gap.head.email)
                unreachable.append(gap)
                continue
            reminder.save()
            reminders.append(reminder)
            logger.info(
                "Reminder %s sent to %s <%s> for %s (%s actions, %s budget lines, %s indicator values) by %s",
                year,
                gap.head,
                gap.head.email,
                gap.service,
                len(gap.actions),
                len(gap.lines),
                len(gap.indicators),
                by or "the scheduled job",
            )
    if unreachable:
        raise ReminderError(UNREACHABLE.format(names=_names(unreachable)), reminders)
    return reminders
