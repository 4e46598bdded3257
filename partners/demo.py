"""Demo data of the partner directory (fictional): about thirty partners of the Joinville-le-Pont CTG, with a
SIRET whose key is right, their territories and one to three invented contacts each; eleven agreements (two
ending within the default renewal horizon of 120 days, one already ended); twelve facilities of the commune with
their funding lines over the five years of the CTG (the current year planned or notified, earlier years paid).
Amounts are invented but of a plausible order; no signed document is attached.

Seeded by `manage.py seed_demo` once the action plan's partners exist: each partner is found again by its
name (the plan refers to the first thirteen by position in `ctg.management.commands.demo_data.PARTNERS`, and
their names are kept), each contact by its partner and name, so that a second run changes nothing. The SIRET
are made up (nine digits of SIREN and a five-digit establishment number whose Luhn keys are computed here);
people's names, e-mails (example.org) and phone numbers are invented. Agreements are found again by partner and
title, facilities by name, funding lines by facility, year, scheme and funder; dates are relative to the day of the
first seeding.
"""

import unicodedata
from datetime import date, timedelta
from decimal import Decimal

from ctg.models import Territory
from partners.enums import AgreementKind, FacilityKind, FundingFunder, FundingScheme, FundingStage, PartnerKind
from partners.models import Agreement, Contact, Facility, FundingLine, Partner
from partners.validators import luhn_check_digit

COMMUNE = "Joinville-le-Pont"
JOINVILLE = "94340 Joinville-le-Pont"
CRETEIL = "94000 Créteil"


def demo_siret(stem: str, establishment: str = "0001") -> str:
    """A SIRET from an 8-digit SIREN stem and a 4-digit establishment stem, both Luhn keys computed."""
    siren = stem + luhn_check_digit(stem)
    partial = siren + establishment
    return partial + luhn_check_digit(partial)


# La Poste's establishments follow the sum rule (a multiple of 5), not the Luhn key.
LA_POSTE_SIRET = "35600000049512"

# name, kind, SIREN stem (8 digits) or a full SIRET, address, website, territories ("commune" or quartiers),
# notes, contacts [(name, function, phone, days since last checked)]
PARTNERS = [
    (
        "Caf du Val-de-Marne",
        PartnerKind.CAF,
        "20841730",
        f"2 voie Félix-Éboué\n{CRETEIL}",
        "https://www.caf.fr",
        ["commune"],
        "Signataire de la CTG ; conseillère territoriale référente pour Joinville.",
        [
            ("Martine Delaunay", "Conseillère territoriale", "01 45 13 20 41", 40),
            ("Olivier Ferrand", "Chargé de conseil et développement", "01 45 13 20 58", 420),
        ],
    ),
    (
        "Département du Val-de-Marne – PMI",
        PartnerKind.DEPARTMENT,
        "22940028",
        f"Avenue du Général-de-Gaulle\n{CRETEIL}",
        "https://www.valdemarne.fr",
        ["commune"],
        "Centre de PMI de Joinville : agréments des EAJE, suivi des 0–6 ans.",
        [
            ("Dr Élise Caradec", "Médecin responsable de PMI", "01 48 83 51 20", 90),
            ("Laure Mercier", "Puéricultrice de secteur", "01 48 83 51 22", 200),
        ],
    ),
    (
        "Département du Val-de-Marne – Espace départemental des solidarités",
        PartnerKind.DEPARTMENT,
        "22940028",
        f"12 avenue du Président-Wilson\n{JOINVILLE}",
        "https://www.valdemarne.fr",
        ["commune"],
        "Accompagnement social, prévention des expulsions, aide sociale à l'enfance.",
        [("Samia Haddad", "Responsable de l'espace", "01 48 83 62 10", 150)],
    ),
    (
        "France Travail Joinville-Saint-Maur",
        PartnerKind.FRANCE_TRAVAIL,
        "13003550",
        f"8 rue Émile-Moutier\n{JOINVILLE}",
        "https://www.francetravail.fr",
        ["commune"],
        "Places en crèche pour les parents en recherche d'emploi (AVIP).",
        [("Thomas Lebrun", "Conseiller entreprises et partenariats", "01 48 85 30 12", 60)],
    ),
    (
        "Mission locale des Bords de Marne",
        PartnerKind.ASSOCIATION,
        "41234567",
        f"5 rue de Paris\n{JOINVILLE}",
        "https://www.example.org/mission-locale",
        ["commune"],
        "Accueil des 16–25 ans ; permanences au PIJ.",
        [
            ("Inès Boukhari", "Conseillère en insertion", "01 48 85 41 07", 120),
            ("Paul Vasseur", "Directeur", "01 48 85 41 00", 500),
        ],
    ),
    (
        "Logirep",
        PartnerKind.SOCIAL_LANDLORD,
        "30205678",
        "127 rue Gambetta\n92150 Suresnes",
        "https://www.example.org/logirep",
        ["Palissy", "Europe"],
        "Résidences Palissy et Europe : locaux pour les ateliers, prévention des expulsions.",
        [("Franck Moulin", "Gestionnaire de secteur", "01 49 76 22 14", 80)],
    ),
    (
        "CPAM du Val-de-Marne",
        PartnerKind.CPAM,
        "78030511",
        f"1-9 avenue du Général-de-Gaulle\n{CRETEIL}",
        "https://www.ameli.fr",
        ["commune"],
        "Accès aux droits santé ; rendez-vous à la Maison des Solidarités.",
        [("Nathalie Perret", "Conseillère services en santé", "01 43 99 10 25", 30)],
    ),
    (
        "ADIL 94",
        PartnerKind.ASSOCIATION,
        "39876543",
        f"48 avenue Pierre-Brossolette\n{CRETEIL}",
        "https://www.example.org/adil94",
        ["commune"],
        "Permanence juridique logement un mardi par mois.",
        [("Hugo Marchetti", "Juriste", "01 48 98 03 48", 250)],
    ),
    (
        "Éducation nationale – circonscription de Joinville",
        PartnerKind.EDUCATION,
        "19940015",
        f"Inspection de l'Éducation nationale\n1 place de la Mairie\n{JOINVILLE}",
        "https://www.ac-creteil.fr",
        ["commune"],
        "PEDT, Plan mercredi, CLAS ; écoles Palissy, Polangis, Centre.",
        [
            ("Anne-Sophie Rigal", "Inspectrice de l'Éducation nationale", "01 48 89 12 40", 100),
            ("Marc Delorme", "Conseiller pédagogique", "01 48 89 12 41", 380),
        ],
    ),
    (
        "Association Les Petits Pas",
        PartnerKind.ASSOCIATION,
        "75123489",
        f"14 rue Hippolyte-Pinson\n{JOINVILLE}",
        "https://www.example.org/petits-pas",
        ["Polangis"],
        "Micro-crèche associative et ateliers d'éveil.",
        [
            ("Claire Fontaine", "Présidente", "01 48 83 44 90", 210),
            ("Yasmine Taleb", "Directrice de la micro-crèche", "01 48 83 44 91", 20),
        ],
    ),
    (
        "Association Joinville Numérique Solidaire",
        PartnerKind.ASSOCIATION,
        "81234098",
        f"3 rue Jean-Mermoz\n{JOINVILLE}",
        "https://www.example.org/numerique-solidaire",
        ["Centre", "Europe"],
        "Ateliers numériques, aide aux démarches en ligne.",
        [("Kevin Lambert", "Conseiller numérique", "01 49 76 58 03", 45)],
    ),
    (
        "Association Familles en Marne",
        PartnerKind.ASSOCIATION,
        "79876012",
        f"22 quai de la Marne\n{JOINVILLE}",
        "https://www.example.org/familles-en-marne",
        ["Marne", "Île Fanac"],
        "Soutien aux familles monoparentales, sorties familles.",
        [
            ("Sandrine Morel", "Coordinatrice", "01 48 86 27 15", 160),
            ("Ahmed Chérif", "Trésorier", "01 48 86 27 16", 450),
        ],
    ),
    (
        "Préfecture du Val-de-Marne – commission de coordination des actions de prévention des expulsions",
        PartnerKind.STATE,
        "17940001",
        f"21-29 avenue du Général-de-Gaulle\n{CRETEIL}",
        "https://www.val-de-marne.gouv.fr",
        ["commune"],
        "CCAPEX : signalements et suivi des situations d'impayés.",
        [("Christophe Bernier", "Secrétaire de la CCAPEX", "01 49 56 60 00", 300)],
    ),
    (
        "Direction des services départementaux de l'Éducation nationale du Val-de-Marne",
        PartnerKind.EDUCATION,
        "19940022",
        f"68 avenue du Général-de-Gaulle\n{CRETEIL}",
        "https://www.ac-creteil.fr",
        ["commune"],
        "Label Plan mercredi et PEDT, avec le SDJES.",
        [("Valérie Dumont", "Cheffe de la division des élèves", "01 45 17 60 10", 190)],
    ),
    (
        "Service départemental à la jeunesse, à l'engagement et aux sports",
        PartnerKind.STATE,
        "17940018",
        f"68 avenue du Général-de-Gaulle\n{CRETEIL}",
        "https://www.example.org/sdjes94",
        ["commune"],
        "Déclaration des ALSH, BAFA, Plan mercredi.",
        [("Romain Giraud", "Conseiller d'éducation populaire et de jeunesse", "01 45 17 62 30", 70)],
    ),
    (
        "MSA Île-de-France",
        PartnerKind.PUBLIC_BODY,
        "77567123",
        "Tour Galliéni\n93175 Bagnolet",
        "https://www.msa.fr",
        ["commune"],
        "Signataire possible de la prochaine CTG ; peu d'allocataires sur la commune.",
        [("Isabelle Renaud", "Chargée de développement social", "01 41 63 70 20", 330)],
    ),
    (
        "Maison départementale des personnes handicapées du Val-de-Marne",
        PartnerKind.PUBLIC_BODY,
        "13000929",
        f"7-9 voie Félix-Éboué\n{CRETEIL}",
        "https://www.example.org/mdph94",
        ["commune"],
        "Inclusion des enfants en situation de handicap dans les EAJE et les ALSH.",
        [("Julie Caron", "Référente scolarisation et loisirs", "01 43 99 79 00", 110)],
    ),
    (
        "CCAS de Joinville-le-Pont",
        PartnerKind.MUNICIPAL,
        "26940042",
        f"23 rue de Paris\n{JOINVILLE}",
        "https://www.example.org/ccas-joinville",
        ["commune"],
        "Maison des Solidarités et de l'Emploi ; domiciliation.",
        [("Laurence Petit", "Directrice du CCAS", "01 49 76 60 70", 15)],
    ),
    (
        "Établissement public territorial Paris Est Marne & Bois",
        PartnerKind.MUNICIPAL,
        "20005765",
        "14 rue Louis-Talamoni\n94500 Champigny-sur-Marne",
        "https://www.example.org/pemb",
        ["commune"],
        "Politique de la ville et insertion à l'échelle du territoire.",
        [("Stéphane Aubry", "Chargé de mission cohésion sociale", "01 48 71 59 00", 260)],
    ),
    (
        "Ville de Saint-Maur-des-Fossés – service petite enfance",
        PartnerKind.MUNICIPAL,
        "21940068",
        "Place Charles-de-Gaulle\n94100 Saint-Maur-des-Fossés",
        "https://www.example.org/saint-maur",
        [],
        "RPE intercommunal et échanges de places en crèche.",
        [("Agnès Collin", "Coordinatrice petite enfance", "01 45 11 65 30", 140)],
    ),
    (
        "Bords de Marne Habitat",
        PartnerKind.SOCIAL_LANDLORD,
        "39512874",
        f"9 avenue Gallieni\n{JOINVILLE}",
        "https://www.example.org/bords-de-marne-habitat",
        ["Vautier", "Marne"],
        "Bailleur des résidences Vautier ; repérage des impayés, local associatif.",
        [
            ("Didier Royer", "Chargé de développement social urbain", "01 48 86 90 40", 55),
            ("Émilie Sauvage", "Conseillère sociale", "01 48 86 90 41", 390),
        ],
    ),
    (
        "Crèches Horizon Petite Enfance",
        PartnerKind.COMPANY,
        "51234760",
        f"2 allée des Tilleuls\n{JOINVILLE}",
        "https://www.example.org/creches-horizon",
        ["Palissy"],
        "Délégataire (DSP) du multi-accueil Palissy : rapport annuel du délégataire, taux d'occupation, PSU.",
        [
            ("Céline Barbier", "Directrice du multi-accueil", "01 48 83 70 02", 25),
            ("Mathieu Garnier", "Responsable régional des délégations", "01 41 10 22 00", 180),
        ],
    ),
    (
        "Léo Loisirs Éducation",
        PartnerKind.COMPANY,
        "52987431",
        "31 rue du Faubourg\n94130 Nogent-sur-Marne",
        "https://www.example.org/leo-loisirs",
        ["Polangis"],
        "Prestataire des séjours d'été de l'ALSH.",
        [("Bastien Roux", "Chef de projet", "01 43 24 18 60", 230)],
    ),
    (
        "Centre social et culturel des Bords de Marne",
        PartnerKind.ASSOCIATION,
        "82345109",
        f"6 rue Vautier\n{JOINVILLE}",
        "https://www.example.org/centre-social",
        ["Vautier", "Centre"],
        "Agrément animation globale de la CAF ; CLAS et ateliers parents.",
        [
            ("Fatou Diallo", "Directrice", "01 48 83 15 60", 35),
            ("Lucas Perrin", "Référent familles", "01 48 83 15 61", 95),
        ],
    ),
    (
        "Ludothèque associative La Toupie",
        PartnerKind.ASSOCIATION,
        "80123476",
        f"11 rue Bernier\n{JOINVILLE}",
        "https://www.example.org/la-toupie",
        ["Centre"],
        "Co-anime le LAEP le samedi matin.",
        [("Hélène Guichard", "Ludothécaire", "01 48 83 28 74", 75)],
    ),
    (
        "Secours populaire – comité de Joinville-le-Pont",
        PartnerKind.ASSOCIATION,
        "77569021",
        f"4 rue Eugène-Voisin\n{JOINVILLE}",
        "https://www.example.org/secours-populaire",
        ["commune"],
        "Aide alimentaire, vacances familles.",
        [("Gérard Lemoine", "Secrétaire du comité", "01 48 85 66 09", 410)],
    ),
    (
        "UDAF du Val-de-Marne",
        PartnerKind.ASSOCIATION,
        "78543210",
        f"39 rue du Général-Leclerc\n{CRETEIL}",
        "https://www.example.org/udaf94",
        ["commune"],
        "Point conseil budget, médiation familiale.",
        [("Corinne Vidal", "Conseillère en économie sociale et familiale", "01 43 39 84 20", 130)],
    ),
    (
        "Association Sport et Loisirs de Polangis",
        PartnerKind.ASSOCIATION,
        "84123987",
        f"Gymnase Lecuirot\n{JOINVILLE}",
        "https://www.example.org/asl-polangis",
        ["Polangis"],
        "Activités sportives de l'accueil jeunes 11–17 ans.",
        [("Nicolas Faure", "Éducateur sportif", "01 48 89 40 30", 50)],
    ),
    (
        "Pôle ressources handicap 94",
        PartnerKind.ASSOCIATION,
        "88012345",
        f"15 rue des Mèches\n{CRETEIL}",
        "https://www.example.org/prh94",
        ["commune"],
        "Accompagnement des équipes pour l'accueil inclusif.",
        [("Sophie Tessier", "Chargée de mission inclusion", "01 43 77 15 90", 85)],
    ),
    (
        "La Poste – bureau de Joinville-le-Pont (France services)",
        PartnerKind.PUBLIC_BODY,
        LA_POSTE_SIRET,
        f"2 rue de Paris\n{JOINVILLE}",
        "https://www.example.org/france-services",
        ["commune"],
        "Espace France services : relais pour les démarches CAF.",
        [("Karine Masson", "Animatrice France services", "01 48 85 11 20", 65)],
    ),
]


def email_of(name: str) -> str:
    """ "Dr Élise Caradec" → "elise.caradec@example.org"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = [word for word in plain.replace("'", "").split() if word != "dr"]
    return ".".join(word for word in words) + "@example.org"


def seed_partners(*, today: date) -> dict[str, Partner]:
    """The directory; returns the partners by name."""
    commune = Territory.objects.filter(kind="commune", name=COMMUNE).first()
    districts = {t.name: t for t in Territory.objects.filter(kind="district", parent=commune)}
    partners = {}
    for index, (name, kind, siren, address, website, territories, notes, contacts) in enumerate(PARTNERS):
        siret = siren if len(siren) == 14 else demo_siret(siren, f"{index + 1:04d}")
        partner, _ = Partner.objects.update_or_create(
            name=name,
            defaults={"kind": kind, "siret": siret, "address": address, "website": website, "notes": notes},
        )
        places = [commune if key == "commune" else districts.get(key) for key in territories]
        partner.territories.set([place for place in places if place is not None])
        for person, function, phone, days in contacts:
            Contact.objects.get_or_create(
                partner=partner,
                name=person,
                defaults={
                    "function": function,
                    "email": email_of(person),
                    "phone": phone,
                    "checked_at": today - timedelta(days=days),
                },
            )
        partners[name] = partner
    seed_agreements(partners=partners, today=today)
    seed_facilities(partners=partners, districts=districts, today=today)
    return partners


# partner, kind, reference, title, days from today to the end, years it lasts, annual amount, notice (months)
AGREEMENTS = [
    (
        "Caf du Val-de-Marne",
        AgreementKind.PARTNERSHIP,
        "COF-LAEP-2022",
        "Convention d'objectifs et de financement – LAEP La Toupie",
        75,
        4,
        None,
        0,
    ),
    (
        "Association Les Petits Pas",
        AgreementKind.PARTNERSHIP,
        "2023-RES-04",
        "Réservation de berceaux – micro-crèche Les Petits Pas",
        100,
        3,
        Decimal("36000"),
        0,
    ),
    (
        "Crèches Horizon Petite Enfance",
        AgreementKind.DSP,
        "DSP-2021-01",
        "Contrat de DSP – multi-accueil Palissy",
        1095,
        8,
        Decimal("412000"),
        12,
    ),
    (
        "Centre social et culturel des Bords de Marne",
        AgreementKind.CPO,
        "CPO-2024-CS",
        "CPO animation de la vie sociale 2024–2027",
        400,
        4,
        Decimal("85000"),
        6,
    ),
    (
        "Ludothèque associative La Toupie",
        AgreementKind.SUBSIDY,
        "SUB-2026-12",
        "Subvention de fonctionnement de la ludothèque",
        250,
        1,
        Decimal("18500"),
        0,
    ),
    (
        "Mission locale des Bords de Marne",
        AgreementKind.PARTNERSHIP,
        "",
        "Permanences de la Mission locale au PIJ",
        500,
        3,
        Decimal("6000"),
        3,
    ),
    ("Logirep", AgreementKind.PARTNERSHIP, "", "Mise à disposition d'un local – résidence Palissy", 700, 3, None, 3),
    (
        "Léo Loisirs Éducation",
        AgreementKind.OTHER,
        "MAPA-2025-07",
        "Séjours d'été de l'accueil de loisirs",
        300,
        1,
        Decimal("38000"),
        0,
    ),
    (
        "Association Joinville Numérique Solidaire",
        AgreementKind.SUBSIDY,
        "SUB-2026-05",
        "Subvention – ateliers numériques",
        200,
        1,
        Decimal("7500"),
        0,
    ),
    (
        "La Poste – bureau de Joinville-le-Pont (France services)",
        AgreementKind.PARTNERSHIP,
        "FS-94-042",
        "Convention France services – relais des démarches CAF",
        900,
        5,
        None,
        6,
    ),
    (
        "Association Familles en Marne",
        AgreementKind.SUBSIDY,
        "SUB-2025-09",
        "Subvention – sorties familles monoparentales",
        -30,
        1,
        Decimal("4200"),
        0,
    ),
]


def seed_agreements(*, partners: dict[str, Partner], today: date) -> None:
    for name, kind, reference, title, ends_in, years, amount, notice in AGREEMENTS:
        end = today + timedelta(days=ends_in)
        start = date(end.year - years, end.month, 1) + timedelta(days=end.day)
        Agreement.objects.get_or_create(
            partner=partners[name],
            title=title,
            defaults={
                "kind": kind,
                "reference": reference,
                "start_date": min(start, end),
                "end_date": end,
                "annual_amount": amount,
                "notice_months": notice,
            },
        )


REGIE = None  # a facility run by the commune itself
# name, kind, places, manager, quartier, address
FACILITIES = [
    ("Multi-accueil Les Canotiers", FacilityKind.EAJE, 60, REGIE, "Centre", "12 rue de Paris"),
    ("Multi-accueil Palissy", FacilityKind.EAJE, 45, "Crèches Horizon Petite Enfance", "Palissy", "3 allée Palissy"),
    ("Multi-accueil Polangis", FacilityKind.EAJE, 50, REGIE, "Polangis", "28 avenue Gille"),
    (
        "Micro-crèche Les Petits Pas",
        FacilityKind.EAJE,
        12,
        "Association Les Petits Pas",
        "Marne",
        "5 quai de la Marne",
    ),
    ("Accueil de loisirs maternel Les Hirondelles", FacilityKind.ALSH, 120, REGIE, "Centre", "8 rue Eugène-Voisin"),
    ("Accueil de loisirs élémentaire Polangis", FacilityKind.ALSH, 160, REGIE, "Polangis", "40 avenue Pauline"),
    ("Relais petite enfance", FacilityKind.RPE, None, REGIE, "Centre", "Point Info Familles, 23 rue de Paris"),
    (
        "LAEP La Toupie",
        FacilityKind.LAEP,
        15,
        "Ludothèque associative La Toupie",
        "Palissy",
        "Ludothèque, 6 rue Hugedé",
    ),
    (
        "Ludothèque La Toupie",
        FacilityKind.TOY_LIBRARY,
        30,
        "Ludothèque associative La Toupie",
        "Palissy",
        "6 rue Hugedé",
    ),
    (
        "Centre social et culturel des Bords de Marne",
        FacilityKind.SOCIAL_CENTRE,
        None,
        "Centre social et culturel des Bords de Marne",
        "Vautier",
        "17 rue Vautier",
    ),
    ("Espace jeunes 11–17", FacilityKind.YOUTH, 40, REGIE, "Europe", "2 place de l'Europe"),
    (
        "France services de Joinville-le-Pont",
        FacilityKind.FRANCE_SERVICES,
        None,
        "La Poste – bureau de Joinville-le-Pont (France services)",
        "Centre",
        "2 rue de Paris",
    ),
]

# Per kind of facility: (scheme, funder, quantity per place or a fixed quantity, unit rate, flat amount) of the
# first year; later years grow by 2 % a year.
FUNDING = {
    FacilityKind.EAJE: [
        (FundingScheme.PSU, FundingFunder.CAF, ("per_place", 1700), Decimal("5.6200"), None),
        (FundingScheme.BONUS_EAJE, FundingFunder.CAF, ("per_place", 1), Decimal("1150.0000"), None),
        (FundingScheme.BONUS_MIXITY, FundingFunder.CAF, None, None, Decimal("8400")),
    ],
    FacilityKind.ALSH: [
        (FundingScheme.PS_ALSH, FundingFunder.CAF, ("per_place", 700), Decimal("0.5600"), None),
        (FundingScheme.BONUS_ALSH, FundingFunder.CAF, None, None, Decimal("18000")),
        (FundingScheme.BONUS_DISABILITY, FundingFunder.CAF, None, None, Decimal("6500")),
    ],
    FacilityKind.RPE: [
        (FundingScheme.PS_RPE, FundingFunder.CAF, None, None, Decimal("32000")),
        (FundingScheme.BONUS_RPE, FundingFunder.CAF, None, None, Decimal("12000")),
    ],
    FacilityKind.LAEP: [
        (FundingScheme.PS_LAEP, FundingFunder.CAF, ("fixed", 420), Decimal("31.5000"), None),
        (FundingScheme.BONUS_LAEP, FundingFunder.CAF, None, None, Decimal("7800")),
        (FundingScheme.REAAP, FundingFunder.CAF, None, None, Decimal("3500")),
    ],
    FacilityKind.TOY_LIBRARY: [(FundingScheme.OTHER, FundingFunder.COMMUNE, None, None, Decimal("18500"))],
    FacilityKind.SOCIAL_CENTRE: [
        (FundingScheme.PS_SOCIAL_CENTRE, FundingFunder.CAF, None, None, Decimal("71000")),
        (FundingScheme.CLAS, FundingFunder.CAF, None, None, Decimal("9200")),
        (FundingScheme.REAAP, FundingFunder.CAF, None, None, Decimal("4500")),
        (FundingScheme.OTHER, FundingFunder.COMMUNE, None, None, Decimal("85000")),
    ],
    FacilityKind.YOUTH: [(FundingScheme.PS_YOUTH, FundingFunder.CAF, None, None, Decimal("20000"))],
    FacilityKind.FRANCE_SERVICES: [(FundingScheme.OTHER, FundingFunder.STATE, None, None, Decimal("30000"))],
}
FUNDING_YEARS = 5
CENT = Decimal("0.01")


def seed_facilities(*, partners: dict[str, Partner], districts: dict[str, Territory], today: date) -> None:
    years = range(today.year - FUNDING_YEARS + 1, today.year + 1)
    for index, (name, kind, places, manager, district, street) in enumerate(FACILITIES):
        facility, _ = Facility.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "capacity": places,
                "manager": partners.get(manager) if manager else None,
                "district": districts.get(district),
                "address": f"{street}\n{JOINVILLE}",
            },
        )
        for offset, year in enumerate(years):
            growth = Decimal(1) + Decimal("0.02") * offset
            for scheme, funder, basis, rate, flat in FUNDING[kind]:
                if basis is None:
                    values = {"flat_amount": (flat * growth).quantize(Decimal(100))}
                    amount = values["flat_amount"]
                else:
                    how, count = basis
                    quantity = Decimal(count * (places or 1) if how == "per_place" else count)
                    values = {"quantity": quantity, "unit_rate": (rate * growth).quantize(Decimal("0.0001"))}
                    amount = (quantity * values["unit_rate"]).quantize(CENT)
                FundingLine.objects.get_or_create(
                    facility=facility,
                    year=year,
                    scheme=scheme,
                    funder=funder,
                    defaults=values | _stage(year, today.year, index, amount),
                )


def _stage(year: int, current: int, index: int, amount: Decimal) -> dict:
    """Earlier years paid (2 % less than notified for some), the current year notified for every other
    facility, planned for the rest."""
    if year < current:
        paid = (amount * Decimal("0.98")).quantize(CENT) if (year + index) % 3 == 0 else amount
        return {"stage": FundingStage.PAID, "planned": amount, "notified": amount, "paid": paid}
    if index % 2 == 0:
        return {"stage": FundingStage.NOTIFIED, "planned": amount, "notified": amount}
    return {"stage": FundingStage.PLANNED, "planned": amount}
