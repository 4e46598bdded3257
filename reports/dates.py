"""The bilan campaign's calendar: the bilan of year N is due to the CAF by 31 January N+1."""

from datetime import date

from django.utils import timezone


def campaign_year(today: date | None = None) -> int:
    """The year whose bilan is being prepared: the previous one in January (the month it is due), else this one."""
    today = today or timezone.localdate()
    return today.year - 1 if today.month == 1 else today.year


def bilan_due_on(year: int) -> date:
    """The bilan of `year` is due on 31 January of the following year."""
    return date(year + 1, 1, 31)


def renewal_alert_from(end_date: date) -> date:
    """The renewal of a CTG is prepared during its last twelve months: from its end date minus one year
    (28 February when it ends on a 29 February)."""
    try:
        return end_date.replace(year=end_date.year - 1)
    except ValueError:
        return end_date.replace(year=end_date.year - 1, day=28)


def days_until(due: date, today: date | None = None) -> int:
    """Days left before `due` (0 on the day itself, negative once it has passed)."""
    return (due - (today or timezone.localdate())).days
