"""Who may read and do what on the dashboard, the bilan campaign and the bilans annuels."""

from ctg.enums import Role
from ctg.models import User
from ctg.perms import can_manage_ctg

BILAN_READERS = {Role.COORDINATION, Role.DIRECTION, Role.ELECTED}


def can_read_dashboard(user: User) -> bool:
    """Tout le monde connecté lit le tableau de bord : direction, élus, coordination, responsables de service."""
    return user.is_authenticated


def can_read_bilans(user: User) -> bool:
    """La coordination, la direction et les élus lisent la campagne de bilan et chaque bilan annuel."""
    return user.is_authenticated and user.role in BILAN_READERS


def can_write_bilan(user: User) -> bool:
    """La coordination seule rédige le bilan, relance les services, produit le PDF, le transmet à la CAF et
    note les remarques de la CAF."""
    return can_manage_ctg(user)


def can_validate_bilan(user: User) -> bool:
    """La direction seule valide le bilan avant sa transmission."""
    return user.is_authenticated and user.role == Role.DIRECTION
