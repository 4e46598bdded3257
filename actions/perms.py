"""Who may change a fiche action."""

from actions.models import Action
from ctg.models import User
from ctg.perms import can_manage_ctg


def can_edit_action(user: User) -> bool:
    """Seule la coordination crée, modifie, archive une fiche action et choisit ses partenaires."""
    return can_manage_ctg(user)


def can_update_action(user: User, action: Action) -> bool:
    """La coordination, et le ou la responsable du service pilote de l'action, enregistrent ses points
    d'étape, ses jalons et le réalisé de son budget."""
    if action.archived_at is not None:
        return False
    return can_manage_ctg(user) or (user.is_service_head and action.pilot_service_id == user.service_id)


def can_plan_action(user: User, action: Action) -> bool:
    """La coordination seule ajoute ou retire les lignes budgétaires et les partenaires d'une action
    non archivée."""
    return can_edit_action(user) and action.archived_at is None
