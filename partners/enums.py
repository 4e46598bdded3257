from django.db import models


class PartnerKind(models.TextChoices):
    """The kinds of partners of a CTG. Institutions first; values kept from the first version (`municipal`,
    `company`, `public_body`…) so that the existing partners keep theirs."""

    CAF = "caf", "CAF"
    DEPARTMENT = "department", "Département"
    STATE = "state", "Services de l'État"
    EDUCATION = "education", "Éducation nationale, établissement scolaire"
    CPAM = "cpam", "CPAM"
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    SOCIAL_LANDLORD = "social_landlord", "Bailleur social"
    PUBLIC_BODY = "public_body", "Autre établissement ou organisme public"
    ASSOCIATION = "association", "Association"
    COMPANY = "company", "Opérateur privé, délégataire (DSP)"
    MUNICIPAL = "municipal", "Collectivité (commune, EPCI, CCAS)"
    OTHER = "other", "Autre"


class AgreementKind(models.TextChoices):
    PARTNERSHIP = "partnership", "Convention de partenariat"
    CPO = "cpo", "CPO – convention pluriannuelle d'objectifs"
    DSP = "dsp", "Contrat de DSP (délégation de service public)"
    SUBSIDY = "subsidy", "Subvention"
    OTHER = "other", "Autre"


class FacilityKind(models.TextChoices):
    EAJE = "eaje", "EAJE (multi-accueil, crèche)"
    ALSH = "alsh", "ALSH (accueil de loisirs)"
    RPE = "rpe", "RPE (relais petite enfance)"
    LAEP = "laep", "LAEP (lieu d'accueil enfants-parents)"
    TOY_LIBRARY = "toy_library", "Ludothèque"
    YOUTH = "youth", "Accueil jeunes"
    SOCIAL_CENTRE = "social_centre", "Centre social"
    EVS = "evs", "EVS (espace de vie sociale)"
    FRANCE_SERVICES = "france_services", "France services"
    OTHER = "other", "Autre"


class FundingScheme(models.TextChoices):
    """The CAF's funding schemes of a facility (domain.md): prestations de service, the four bonus territoire CTG
    that replaced the Contrat Enfance Jeunesse, the bonus of the PSU, and the local funds."""

    PSU = "psu", "PSU – prestation de service unique (EAJE)"
    PS_ALSH = "ps_alsh", "Prestation de service ALSH"
    PS_RPE = "ps_rpe", "Prestation de service RPE"
    PS_LAEP = "ps_laep", "Prestation de service LAEP"
    PS_YOUTH = "ps_youth", "Prestation de service jeunes"
    PS_SOCIAL_CENTRE = "ps_social_centre", "Prestation de service centre social (animation globale)"
    PS_EVS = "ps_evs", "Prestation de service EVS (animation locale)"
    BONUS_EAJE = "bonus_eaje", "Bonus territoire CTG – EAJE"
    BONUS_ALSH = "bonus_alsh", "Bonus territoire CTG – ALSH"
    BONUS_RPE = "bonus_rpe", "Bonus territoire CTG – RPE"
    BONUS_LAEP = "bonus_laep", "Bonus territoire CTG – LAEP"
    BONUS_MIXITY = "bonus_mixity", "Bonus mixité sociale"
    BONUS_DISABILITY = "bonus_disability", "Bonus inclusion handicap"
    BONUS_ATTRACTIVENESS = "bonus_attractiveness", "Bonus attractivité"
    INCLUSIVE_COMPLEMENT = "inclusive_complement", "Complément inclusif"
    CLAS = "clas", "CLAS – contrat local d'accompagnement à la scolarité"
    REAAP = "reaap", "REAAP – réseau d'écoute, d'appui et d'accompagnement des parents"
    OTHER = "other", "Autre"


class FundingFunder(models.TextChoices):
    """Who pays a facility's funding line. Not `actions.enums.Funder`: that one splits the CAF by scheme, which a
    funding line already names, and `partners` does not import `actions`. The shared values (commune,
    department, state, other) are the same."""

    CAF = "caf", "CAF"
    COMMUNE = "commune", "Commune"
    DEPARTMENT = "department", "Département"
    STATE = "state", "État"
    OTHER = "other", "Autre"


class FundingStage(models.TextChoices):
    PLANNED = "planned", "Prévu"
    NOTIFIED = "notified", "Notifié"
    PAID = "paid", "Versé"
