"""Who may do what on the bodies, meetings and decisions of the CTG."""

from actions.models import Action
from actions.perms import can_update_action
from ctg.models import User
from ctg.perms import can_manage_ctg
from governance.models import Decision
from partners.perms import can_see_contacts


def can_read_governance(user: User) -> bool:
    """Toute personne connectée consulte les instances, leurs réunions et le relevé de décisions."""
    return user.is_authenticated


def can_manage_governance(user: User) -> bool:
    """Seule la coordination crée et modifie les instances et les réunions : ordre du jour, présences, compte
    rendu, décisions."""
    return can_manage_ctg(user)


def can_mark_decision(user: User, decision: Decision) -> bool:
    """La coordination, et la personne responsable de la décision, la marquent faite (ou à nouveau ouverte)."""
    return can_manage_ctg(user) or (user.is_authenticated and decision.owner_id == user.pk)


def can_flag_for_discussion(user: User, action: Action) -> bool:
    """La coordination, et le ou la responsable du service pilote de l'action, la signalent « à discuter » en
    instance."""
    return can_update_action(user, action)


def can_see_contact_details(user: User) -> bool:
    """Les coordonnées des contacts (courriel, téléphone) sont des données personnelles : seuls les rôles qui
    animent le réseau les voient ; les autres ne voient que les noms (`partners.perms.can_see_contacts`)."""
    return can_see_contacts(user)
