"""The fictional Joinville-le-Pont CTG (domain.md §7): people, places and plans, as plain data.

Dates are offsets from today so that the demo stays current whatever the day it is loaded.
"""

PASSWORD = "demo"

# username, first name, last name, role, service key (None: no service)
USERS = [
    ("coordination", "Camille", "Lefort", "coordination", "ctg"),
    ("direction", "Hélène", "Marchand", "direction", None),
    ("elu", "Bernard", "Ollivier", "elected", None),
    ("petite-enfance", "Sophie", "Garnier", "service_head", "early"),
    ("jeunesse", "Karim", "Benali", "service_head", "youth"),
    ("parentalite", "Nadia", "Roussel", "service_head", "family"),
    ("solidarites", "Julien", "Perrin", "service_head", "ccas"),
    ("admin", "Alex", "Technique", "tech_admin", None),
]

# key, name, kind, parent key
SERVICES = [
    ("dgas", "Direction générale adjointe des services à la population", "direction", None),
    ("lien", "Direction du lien social et de la petite enfance", "direction", "dgas"),
    ("ctg", "Mission coopération CTG", "service", "dgas"),
    ("early", "Service petite enfance", "service", "lien"),
    ("youth", "Service enfance-jeunesse", "service", "dgas"),
    ("family", "Ludothèque et parentalité", "service", "lien"),
    ("ccas", "CCAS – Maison des Solidarités et de l'Emploi", "service", "lien"),
]

DISTRICTS = ["Centre", "Palissy", "Polangis", "Île Fanac", "Marne", "Vautier", "Europe"]

# name, kind
PARTNERS = [
    ("Caf du Val-de-Marne", "caf"),
    ("Département du Val-de-Marne – PMI", "department"),
    ("Département du Val-de-Marne – Espace départemental des solidarités", "department"),
    ("France Travail Joinville-Saint-Maur", "public_body"),
    ("Mission locale des Bords de Marne", "public_body"),
    ("Logirep", "social_landlord"),
    ("CPAM du Val-de-Marne", "public_body"),
    ("ADIL 94", "association"),
    ("Éducation nationale – circonscription de Joinville", "education"),
    ("Association Les Petits Pas", "association"),
    ("Association Joinville Numérique Solidaire", "association"),
    ("Association Familles en Marne", "association"),
    ("Préfecture du Val-de-Marne – commission de coordination des actions de prévention des expulsions", "state"),
]

# code, title, theme, [(strategic code, title, [(operational code, title), ...]), ...]
AXES = [
    ("A1", "Développer une offre d'accueil du jeune enfant accessible, diversifiée et inclusive", "early_childhood", [
        ("OS1.1", "Augmenter et mieux répartir l'offre d'accueil", [
            ("OO1.1.1", "Créer des places dans les quartiers sous-dotés"),
            ("OO1.1.2", "Simplifier et rendre équitable l'attribution des places"),
        ]),
        ("OS1.2", "Rendre l'accueil plus inclusif", [
            ("OO1.2.1", "Accueillir les enfants en situation de handicap et ceux des familles en insertion"),
        ]),
    ]),
    ("A2", "Accompagner les enfants et les jeunes dans leurs loisirs, leurs projets et leur autonomie", "childhood_youth", [
        ("OS2.1", "Garantir des loisirs éducatifs de qualité", [
            ("OO2.1.1", "Structurer l'offre périscolaire et extrascolaire"),
        ]),
        ("OS2.2", "Favoriser l'autonomie et l'engagement des jeunes", [
            ("OO2.2.1", "Offrir aux 11–25 ans des lieux et des appuis pour leurs projets"),
        ]),
    ]),
    ("A3", "Soutenir les parents dans leur rôle", "parenting", [
        ("OS3.1", "Offrir des lieux et des temps de soutien à la parentalité", [
            ("OO3.1.1", "Développer les lieux d'échange entre parents"),
            ("OO3.1.2", "Accompagner les familles les plus fragiles"),
        ]),
    ]),
    ("A4", "Faciliter l'accès aux droits, au numérique et au logement", "access_to_rights", [
        ("OS4.1", "Rapprocher l'information sur les droits des habitants", [
            ("OO4.1.1", "Organiser un premier accueil social de proximité"),
            ("OO4.1.2", "Réduire la fracture numérique"),
        ]),
        ("OS4.2", "Prévenir les ruptures liées au logement", [
            ("OO4.2.1", "Agir contre la non-décence et les expulsions"),
        ]),
    ]),
    ("A5", "Animer la vie sociale et piloter la CTG", "social_life", [
        ("OS5.1", "Renforcer le lien social et la participation des habitants", [
            ("OO5.1.1", "Créer des espaces de rencontre et de participation"),
        ]),
        ("OS5.2", "Piloter et évaluer la CTG", [
            ("OO5.2.1", "Suivre le plan d'actions avec les partenaires"),
        ]),
    ]),
]

NEXT_AXES = [
    ("A1", "Petite enfance : consolider l'offre et l'accès des familles vulnérables", "early_childhood", [
        ("OS1.1", "Maintenir le taux de couverture au-dessus de la moyenne départementale", []),
    ]),
    ("A2", "Jeunesse : prévenir le décrochage et soutenir l'engagement", "youth", [
        ("OS2.1", "Construire un parcours d'engagement des 11–25 ans", []),
    ]),
]

# Each action: code, objective, title, service, final status, final progress, start (days from today),
# end (days from today, None: no end), days since the last point d'étape (None: no point d'étape),
# partners [(name index in PARTNERS, role)], publics (labels), districts, description.
ACTIONS = [
    ("FA1.1", "OO1.1.1", "Ouvrir un multi-accueil de 40 places dans le quartier Palissy", "early", "in_progress", 70,
     -1400, -60, 35, [(0, "funder"), (1, "co_pilot")], ["0–3 ans", "Familles"], ["Palissy"],
     "Construction d'un équipement municipal de 40 berceaux, agréé PSU, avec 4 places réservées à l'accueil "
     "d'urgence. Le chantier a pris du retard après la défaillance d'une entreprise de gros œuvre."),
    ("FA1.2", "OO1.1.2", "Mettre en place un guichet unique des demandes d'accueil au Point Info Familles", "early",
     "done", 100, -1350, -700, 690, [(0, "funder")], ["Parents", "0–3 ans"], [],
     "Un formulaire unique, une commission d'attribution aux critères publiés et un accueil physique au Point "
     "Info Familles pour toutes les demandes d'accueil du jeune enfant."),
    ("FA1.3", "OO1.1.2", "Optimiser le taux d'occupation des établissements d'accueil du jeune enfant", "early",
     "recurring", 80, -1300, None, 20, [(0, "co_pilot")], ["0–3 ans"], [],
     "Suivi mensuel des taux d'occupation financier et réel des 4 multi-accueils, ajustement des contrats."),
    ("FA1.4", "OO1.1.1", "Développer les ateliers d'éveil du Relais petite enfance", "early", "recurring", 60,
     -1250, None, 140, [(0, "funder"), (9, "operator")], ["0–3 ans", "Professionnels"], ["Centre", "Polangis"],
     "Ateliers hebdomadaires pour les assistantes maternelles et les enfants qu'elles accueillent."),
    ("FA1.5", "OO1.2.1", "Accueillir en crèche les enfants en situation de handicap", "early", "in_progress", 45,
     -900, 400, 50, [(1, "co_pilot"), (0, "funder")], ["0–3 ans", "Personnes en situation de handicap"], [],
     "Formation des équipes, référente inclusion, mobilisation du bonus inclusion handicap de la CAF."),
    ("FA1.6", "OO1.2.1", "Réserver des places aux enfants de parents demandeurs d'emploi (crèche AVIP)", "early",
     "suspended", 30, -800, 200, 120, [(3, "co_pilot"), (0, "funder")], ["0–3 ans", "Parents"], ["Europe"],
     "Labellisation « à vocation d'insertion professionnelle » d'un multi-accueil ; suspendue faute de places "
     "libérées pendant les travaux."),
    ("FA2.1", "OO2.1.1", "Obtenir le label Plan mercredi et renouveler le PEDT", "youth", "done", 100, -1400, -400,
     395, [(8, "co_pilot"), (0, "funder")], ["3–11 ans"], [],
     "Réécriture du projet éducatif de territoire avec l'Éducation nationale et les associations."),
    ("FA2.2", "OO2.1.1", "Ouvrir les accueils de loisirs tout l'été", "youth", "recurring", 100, -1300, None, 80,
     [(0, "funder")], ["3–11 ans", "Familles"], [],
     "Ouverture de deux accueils de loisirs en août, jusque-là fermés trois semaines."),
    ("FA2.3", "OO2.1.1", "Rendre les accueils de loisirs inclusifs", "youth", "in_progress", 55, -1000, 300, 40,
     [(0, "funder"), (1, "relay")], ["3–11 ans", "Personnes en situation de handicap"], [],
     "Animateurs référents inclusion, renforts d'encadrement financés par le fonds publics et territoires."),
    ("FA2.4", "OO2.2.1", "Créer un espace jeunes pour les 11–17 ans", "youth", "in_progress", 35, -700, -30, 150,
     [(0, "funder"), (5, "relay")], ["11–17 ans"], ["Polangis", "Palissy"],
     "Local de 120 m² au rez-de-chaussée d'une résidence Logirep, ouvert après le collège et le samedi."),
    ("FA2.5", "OO2.2.1", "Accompagner les jeunes vers les jobs d'été et le BAFA au PIJ", "youth", "recurring", 70,
     -1300, None, 25, [(4, "co_pilot"), (0, "funder")], ["16–25 ans"], [],
     "Forum jobs d'été, aides au BAFA et sessions de préparation aux entretiens au Point information jeunesse."),
    ("FA2.6", "OO2.2.1", "Soutenir les projets du conseil municipal des enfants et des jeunes", "youth", "postponed",
     0, -300, 500, 200, [], ["11–17 ans"], [],
     "Budget participatif jeunes ; reporté au renouvellement du CMEJ."),
    ("FA3.1", "OO3.1.1", "Ouvrir un lieu d'accueil enfants-parents à la ludothèque", "family", "done", 100, -1350,
     -500, 480, [(0, "funder"), (1, "co_pilot")], ["0–3 ans", "Parents"], ["Centre"],
     "LAEP anonyme et gratuit deux demi-journées par semaine, accueillants formés."),
    ("FA3.2", "OO3.1.1", "Proposer des ateliers et des conférences sur la parentalité", "family", "recurring", 50,
     -1200, None, 60, [(11, "operator"), (0, "funder")], ["Parents"], [],
     "Cycle annuel de conférences et d'ateliers (écrans, sommeil, adolescence), cofinancé par le REAAP."),
    ("FA3.3", "OO3.1.2", "Développer l'accompagnement à la scolarité (CLAS)", "family", "in_progress", 60, -1100,
     250, 75, [(0, "funder"), (8, "relay")], ["3–11 ans", "11–17 ans", "Parents"], ["Europe", "Palissy"],
     "Deux groupes CLAS en élémentaire et un au collège, avec un volet d'implication des parents."),
    ("FA3.4", "OO3.1.2", "Soutenir les familles monoparentales", "family", "to_start", 0, -60, 500, None,
     [(11, "operator")], ["Familles", "Parents"], [],
     "Groupe de parole et solutions de garde ponctuelle pour les parents seuls."),
    ("FA4.1", "OO4.1.1", "Tenir des permanences CAF à la Maison des Solidarités et de l'Emploi", "ccas", "recurring",
     90, -1300, None, 10, [(0, "co_pilot")], ["Habitants", "Familles"], [],
     "Permanence hebdomadaire d'un conseiller CAF sur rendez-vous."),
    ("FA4.2", "OO4.1.1", "Former les agents d'accueil en relais d'accès aux droits", "ccas", "in_progress", 40, -600,
     -20, 110, [(0, "co_pilot"), (6, "relay")], ["Professionnels"], [],
     "Formation des agents d'accueil de la mairie, du CCAS et des équipements aux droits CAF et CPAM."),
    ("FA4.3", "OO4.1.2", "Organiser des ateliers numériques pour les familles", "ccas", "in_progress", 65, -900, 365,
     15, [(10, "operator"), (0, "funder")], ["Habitants", "Seniors", "Parents"], ["Europe", "Vautier"],
     "Ateliers d'initiation et aide aux démarches en ligne (caf.fr, ameli, France Travail)."),
    ("FA4.4", "OO4.2.1", "Mettre en place un circuit de signalement de la non-décence", "ccas", "abandoned", 20, -1000,
     -300, 600, [(0, "co_pilot"), (7, "relay")], ["Familles"], [],
     "Circuit repris par le dispositif intercommunal du territoire : action abandonnée au niveau communal."),
    ("FA4.5", "OO4.2.1", "Prévenir les expulsions locatives", "ccas", "in_progress", 50, -800, 400, 70,
     [(12, "co_pilot"), (5, "relay"), (0, "funder")], ["Familles"], [],
     "Repérage précoce des impayés avec les bailleurs, accompagnement budgétaire par le CCAS."),
    ("FA5.1", "OO5.1.1", "Étudier la faisabilité d'un espace de vie sociale", "ctg", "in_progress", 25, -500, 120, 30,
     [(0, "co_pilot"), (11, "relay")], ["Habitants"], ["Palissy", "Europe"],
     "Diagnostic partagé, rencontres d'habitants et scénarios de portage associatif."),
    ("FA5.2", "OO5.1.1", "Organiser des événements intergénérationnels", "ctg", "done", 100, -1100, -200, 190,
     [(11, "operator")], ["Seniors", "Familles"], [],
     "Semaine bleue, goûters partagés et jardinage entre résidences seniors et accueils de loisirs."),
    ("FA5.3", "OO5.1.1", "Associer les habitants au suivi de la CTG", "ctg", "to_start", 0, -200, 200, None, [],
     ["Habitants"], [],
     "Comité d'usagers et questionnaires de satisfaction sur les équipements."),
    ("FA5.4", "OO5.2.1", "Construire l'observatoire de la CTG", "ctg", "in_progress", 60, -1200, 30, 12,
     [(0, "co_pilot")], ["Professionnels"], [],
     "Tableau de bord des indicateurs de contexte (données CAF, INSEE) et de réalisation."),
    ("FA5.5", "OO5.2.1", "Animer la gouvernance de la CTG (COPIL, COTECH)", "ctg", "recurring", 75, -1400, None, 5,
     [(0, "co_pilot"), (2, "relay")], ["Professionnels"], [],
     "Deux COPIL et quatre COTECH par an ; bilan annuel transmis à la CAF avant le 31 janvier."),
]

PROGRESS_NOTES = [
    ("Réunion de lancement avec les partenaires, calendrier validé.", "", "Constituer le groupe de travail."),
    ("Groupe de travail réuni, premiers éléments de diagnostic partagés.", "Disponibilité des partenaires.",
     "Rédiger la note de cadrage."),
    ("Mise en œuvre engagée, premiers publics accueillis.", "", "Faire un premier bilan quantitatif."),
    ("Bilan intermédiaire présenté en COTECH.", "Recrutement d'un animateur plus long que prévu.",
     "Ajuster le planning."),
    ("Activité stabilisée, fréquentation en hausse.", "", "Préparer le bilan annuel."),
]
