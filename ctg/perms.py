"""Who may do what on the CTG itself. Everyone signed in reads the whole CTG."""

from ctg.models import User


def can_manage_ctg(user: User) -> bool:
    """Seule la chargée de coopération crée et modifie la convention, ses axes, ses objectifs,
    les territoires, les services et les partenaires."""
    return user.is_authenticated and user.is_coordination
