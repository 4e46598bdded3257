from datetime import date

from ctg.models import Convention, User


def seed(*, convention: Convention, users: dict[str, User], today: date) -> None:
    """To be written."""
