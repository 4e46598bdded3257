"""Who may do what on indicators, surveys, workshops and assessments."""

from ctg.enums import Role
from ctg.models import User
from ctg.perms import can_manage_ctg
from evaluation.models import Indicator


def can_manage_evaluation(user: User) -> bool:
    """La coordination définit les indicateurs, importe le diagnostic, construit les enquêtes, saisit les
    ateliers et les évaluations d'actions."""
    return can_manage_ctg(user)


def can_read_surveys(user: User) -> bool:
    """La coordination, la direction et les élus consultent les enquêtes, leurs résultats et leurs exports
    (les réponses libres peuvent contenir des données personnelles : pas les autres rôles) ; seule la
    coordination les construit et en reporte un résultat dans un indicateur."""
    return user.is_authenticated and user.role in (Role.COORDINATION, Role.DIRECTION, Role.ELECTED)


def can_enter_values(user: User, indicator: Indicator) -> bool:
    """La coordination, et le ou la responsable du service qui renseigne l'indicateur (son service
    responsable, à défaut le service pilote de son action), saisissent ses valeurs."""
    if can_manage_ctg(user):
        return True
    return user.is_authenticated and user.is_service_head and indicator.pilot_service_id == user.service_id
