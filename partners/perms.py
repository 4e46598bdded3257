"""Who may do what in the partner directory, the agreements, the facilities and their funding. Contacts are
personal data and an agreement's signed document is confidential: only the roles that need them see them."""

from ctg.enums import Role
from ctg.models import User
from ctg.perms import can_manage_ctg


def can_read_partners(user: User) -> bool:
    """Toute personne connectée consulte l'annuaire des partenaires et la fiche de chacun (ses actions)."""
    return user.is_authenticated


def can_manage_partners(user: User) -> bool:
    """Seule la coordination crée et modifie les partenaires."""
    return can_manage_ctg(user)


def can_see_contacts(user: User) -> bool:
    """Les contacts sont des données personnelles : seule la coordination, qui anime le réseau des partenaires,
    les voit, les saisit, les vérifie et les supprime. La direction, les élus et les responsables de service
    consultent les partenaires sans leurs contacts."""
    return can_manage_ctg(user)


# Roles who may open an agreement's signed document: it may hold signatures, bank details and negotiated terms.
DOCUMENT_READERS = {Role.COORDINATION, Role.DIRECTION, Role.ELECTED}


def can_read_agreements(user: User) -> bool:
    """Toute personne connectée consulte les conventions de partenariat (CPO, DSP, subventions) : leurs dates,
    leur montant, leur préavis et celles à renouveler. Les responsables de service en ont besoin pour piloter
    leurs actions."""
    return user.is_authenticated


def can_manage_agreements(user: User) -> bool:
    """Seule la coordination crée, modifie et supprime les conventions de partenariat et dépose leur document
    signé."""
    return can_manage_ctg(user)


def can_download_agreement_documents(user: User) -> bool:
    """Le document signé d'une convention (signatures, coordonnées bancaires, clauses négociées) n'est
    téléchargeable que par la coordination, la direction et les élus ; les responsables de service voient
    qu'il existe sans pouvoir l'ouvrir, l'administrateur technique aussi."""
    return user.is_authenticated and user.role in DOCUMENT_READERS


def can_read_facilities(user: User) -> bool:
    """Toute personne connectée consulte les équipements, leurs financements (CAF et autres) et leurs totaux par
    année et par dispositif, et peut les exporter."""
    return user.is_authenticated


def can_manage_facilities(user: User) -> bool:
    """Seule la coordination crée, modifie et supprime les équipements et leurs lignes de financement."""
    return can_manage_ctg(user)
