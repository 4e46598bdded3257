"""Who may do what on indicators, surveys, workshops and assessments."""

from ctg.models import User
from ctg.perms import can_manage_ctg
from evaluation.models import Indicator


def can_manage_evaluation(user: User) -> bool:
    """La coordination définit les indicateurs, importe le diagnostic, construit les enquêtes, saisit les
    ateliers et les évaluations d'actions."""
    return can_manage_ctg(user)


def can_enter_values(user: User, indicator: Indicator) -> bool:
    """La coordination, et le ou la responsable du service qui renseigne l'indicateur (son service
    responsable, à défaut le service pilote de son action), saisissent ses valeurs."""
    if can_manage_ctg(user):
        return True
    return user.is_authenticated and user.is_service_head and indicator.pilot_service_id == user.service_id
