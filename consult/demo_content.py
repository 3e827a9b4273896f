"""French demo texts for consult/demo.py (fictional; written for this demo, no real statistics)."""

ESANTE_SECTIONS = [
    {
        "anchor": "acces-donnees",
        "title": "Accès de chacun à ses données de santé",
        "body": "<p>Chaque personne doit pouvoir consulter simplement ses comptes rendus, résultats d'examens, "
        "ordonnances et vaccinations, depuis un espace numérique unique, et savoir qui y a accédé.</p>"
        "<p>Nous proposons : un historique des accès lisible par tous ; la possibilité de masquer un document "
        "à certains professionnels ; une aide humaine de proximité pour les personnes éloignées du numérique.</p>",
        "threads": [
            (
                "pour",
                "Enfin un historique des accès ! Aujourd'hui je ne sais pas qui a lu mon dossier après mon passage aux urgences. Pouvoir le vérifier moi-même changerait beaucoup de choses pour la confiance.",
                [
                    "D'accord, mais il faudra que l'historique soit compréhensible : « accès par l'établissement X » ne dit pas qui, ni pourquoi.",
                    "Côté hôpital, l'identification nominative existe déjà dans nos logiciels. Le plus dur sera d'afficher le motif sans surcharger l'écran.",
                ],
            ),
            (
                "mitige",
                "L'idée est bonne, mais ma mère de 84 ans n'a ni smartphone ni adresse électronique. L'aide humaine de proximité doit être un vrai guichet, pas un numéro surtaxé.\n\nQui tiendra ce guichet : les pharmacies, les maisons France services, les mairies ?",
                [
                    "Les maisons France services accompagnent déjà pour les impôts et la CAF. Ajouter la santé demande une formation spécifique, pas seulement un poste informatique.",
                ],
            ),
            (
                "pour",
                "Pouvoir masquer un document à certains professionnels est essentiel pour les personnes suivies en santé mentale ou en addictologie. Sans cela, beaucoup renoncent à faire transmettre leurs comptes rendus.",
                [],
            ),
            (
                "contre",
                "Masquer des documents au médecin traitant peut conduire à des erreurs de prescription. Je suis médecin généraliste : si je ne vois pas un traitement en cours, je peux prescrire une interaction dangereuse. Il faudrait au minimum signaler qu'un document est masqué.",
                [
                    "C'est un vrai dilemme. Un bandeau « certains documents ne vous sont pas accessibles » serait un compromis honnête.",
                    "La loi prévoit déjà le droit d'opposition du patient. Le rôle du numérique est de le rendre applicable, pas de le remettre en cause.",
                ],
            ),
            (
                "pour",
                "Merci de prévoir un accès en FALC et compatible avec les lecteurs d'écran. Les portails actuels sont souvent inutilisables pour les personnes aveugles : boutons sans nom, captchas visuels…",
                [],
            ),
            (
                "mitige",
                "Qu'en est-il des mineurs ? À partir de quel âge un adolescent peut-il consulter son dossier sans ses parents, et masquer certaines consultations (contraception, par exemple) ?",
                [
                    "Il faudrait aligner les règles sur celles du secret médical pour les mineurs, qui existent déjà.",
                ],
            ),
            (
                "pour",
                "Les résultats de laboratoire devraient arriver avec une explication ou un délai avant publication, pour éviter de découvrir seul un résultat grave un vendredi soir.",
                [],
            ),
        ],
    },
    {
        "anchor": "telemedecine",
        "title": "Télémédecine et télésoin",
        "body": "<p>La téléconsultation et le télésoin complètent les consultations en présentiel, sans s'y substituer. "
        "La stratégie prévoit des lieux équipés et accompagnés dans les territoires peu dotés, et des règles "
        "de qualité communes pour les plateformes.</p>",
        "threads": [
            (
                "pour",
                "Dans mon canton il faut trois mois pour voir un dermatologue. La téléexpertise via mon généraliste a permis de traiter une lésion en deux semaines. À développer, vraiment.",
                [
                    "Même expérience en ophtalmologie avec l'orthoptiste qui fait les examens sur place et le médecin qui lit à distance.",
                ],
            ),
            (
                "contre",
                "La téléconsultation ne doit pas devenir la réponse par défaut aux déserts médicaux. On finit avec des patients qui ne sont jamais examinés physiquement.",
                [
                    "Le texte dit bien « sans s'y substituer ». Mais il manque un indicateur pour le vérifier dans la durée.",
                    "Les lieux accompagnés avec une infirmière présente répondent en partie à ce problème : elle peut faire l'examen clinique de base.",
                ],
            ),
            (
                "mitige",
                "Les cabines de téléconsultation en pharmacie posent des questions d'hygiène et de confidentialité : on entend tout depuis le comptoir.",
                [],
            ),
            (
                "pour",
                "Pour les personnes sourdes, la visio avec interprète en langue des signes est une vraie avancée, à condition que l'interprète soit pris en charge.",
                [],
            ),
            (
                "pour",
                "Le télésoin par les orthophonistes a permis à mon fils de continuer sa rééducation pendant une longue hospitalisation de sa sœur. La souplesse est précieuse pour les familles.",
                [],
            ),
            (
                "mitige",
                "Les règles de qualité doivent inclure l'interdiction de revendre les données de connexion et les publicités ciblées sur les plateformes de rendez-vous.",
                [
                    "Tout à fait : la certification devrait l'exiger explicitement.",
                ],
            ),
            (
                "contre",
                "Les zones blanches existent encore. Sans connexion fiable, la téléconsultation coupe toutes les deux minutes. Commencez par le réseau.",
                [],
            ),
        ],
    },
    {
        "anchor": "associations-patients",
        "title": "Usages numériques des associations de patients",
        "body": "<p>Les associations de patients et d'usagers informent, accompagnent et représentent. La stratégie "
        "propose de les outiller : un socle d'outils sécurisés mis à disposition, des formations, et une place "
        "dans la conception des services numériques publics.</p>",
        "threads": [
            (
                "pour",
                "Notre association gère des permanences téléphoniques et des groupes de parole. Un outil de visio sécurisé, gratuit pour les associations agréées, nous éviterait de bricoler avec des solutions grand public.",
                [
                    "Et un hébergement certifié pour nos fichiers d'adhérents : ce sont des données sensibles dès qu'on connaît la pathologie.",
                ],
            ),
            (
                "pour",
                "Les formations doivent aussi viser les bénévoles âgés, qui sont souvent le cœur des associations. Des modules courts, en présentiel, près de chez eux.",
                [],
            ),
            (
                "mitige",
                "Un socle d'outils « mis à disposition », oui, mais sans dépendance : il faut pouvoir récupérer nos données et partir si l'outil ne convient plus.",
                [
                    "Formats ouverts et export complet à tout moment : ce devrait être une condition de l'offre.",
                ],
            ),
            (
                "pour",
                "La participation à la conception des services publics doit être rémunérée ou au moins défrayée. Nos bénévoles donnent déjà beaucoup de temps.",
                [],
            ),
            (
                "contre",
                "Je crains que l'État ne choisisse les associations « interlocutrices » et laisse de côté les petites structures locales. Il faut des critères transparents.",
                [],
            ),
            (
                "pour",
                "Les associations pourraient relayer les alertes de sécurité sanitaire (rappels de médicaments, ruptures) auprès de leurs membres, si elles y avaient accès rapidement.",
                [],
            ),
        ],
    },
    {
        "anchor": "living-labs",
        "title": "Living labs et co-innovation",
        "body": "<p>Les living labs en santé associent usagers, professionnels, chercheurs et entreprises pour concevoir "
        "et tester des solutions en conditions réelles. La stratégie propose de les recenser, de partager leurs "
        "méthodes et d'y associer systématiquement des patients.</p>",
        "threads": [
            (
                "pour",
                "Nous avons testé une application de suivi de dialyse dans un living lab : les patients ont fait supprimer la moitié des écrans, jugés inutiles. Le résultat est bien plus simple. Ce travail en amont fait gagner des années.",
                [
                    "Exemple parlant. Il faudrait publier ces retours d'expérience, y compris les échecs.",
                ],
            ),
            (
                "mitige",
                "Attention à ne pas transformer les patients en testeurs bénévoles pour des entreprises privées. Qui possède les résultats ?",
                [
                    "Une charte commune avec partage de la propriété intellectuelle et rémunération des participants serait utile.",
                    "Certains living labs le font déjà : indemnisation et restitution systématique des résultats aux participants.",
                ],
            ),
            (
                "pour",
                "Un recensement national, avec une carte, permettrait aux porteurs de projet de trouver le bon lieu pour tester, au lieu de tout recommencer.",
                [],
            ),
            (
                "pour",
                "Les living labs en établissements médico-sociaux (EHPAD, foyers) sont rares. C'est pourtant là que les besoins d'innovation d'usage sont les plus forts.",
                [],
            ),
            (
                "contre",
                "Beaucoup de projets testés en living lab ne passent jamais à l'échelle faute de financement après l'expérimentation. Sans financement de la suite, cela reste de la vitrine.",
                [],
            ),
        ],
    },
    {
        "anchor": "securite-si",
        "title": "Sécurité des systèmes d'information",
        "body": "<p>Les cyberattaques contre les hôpitaux mettent en danger les soins. La stratégie prévoit des "
        "exercices réguliers, un financement pluriannuel de la sécurité et des modes dégradés préparés, "
        "pour continuer à soigner quand l'informatique s'arrête.</p>",
        "threads": [
            (
                "pour",
                "J'ai travaillé pendant la cyberattaque de notre hôpital : trois semaines sur papier. Les services qui avaient préparé des procédures dégradées s'en sont bien mieux sortis. Les exercices doivent devenir obligatoires.",
                [
                    "Et les exercices doivent inclure les équipes de nuit et les intérimaires, pas seulement la direction.",
                ],
            ),
            (
                "pour",
                "Un financement pluriannuel est indispensable : la sécurité n'est pas un projet ponctuel, c'est un coût de fonctionnement.",
                [],
            ),
            (
                "mitige",
                "Les petits établissements et les cabinets libéraux n'ont pas de responsable sécurité. Des équipes mutualisées au niveau régional seraient plus réalistes.",
                [
                    "Les groupements régionaux d'appui au numérique pourraient jouer ce rôle s'ils en ont les moyens.",
                ],
            ),
            (
                "contre",
                "On multiplie les couches de sécurité qui compliquent la vie des soignants (mots de passe changés tous les mois, déconnexions toutes les cinq minutes) et ils finissent par les contourner. Sécurité et ergonomie doivent aller ensemble.",
                [],
            ),
            (
                "pour",
                "Les patients doivent être prévenus rapidement et clairement quand leurs données ont fui, avec des conseils concrets (hameçonnage, usurpation).",
                [],
            ),
        ],
    },
]

# A text circulated by e-mail and pasted by several accounts: the moderation view groups them as a campaign.
CAMPAIGN_TEXT = (
    "Je demande que l'accès aux données de santé reste gratuit, sans publicité, et que mes données ne soient "
    "jamais vendues à des entreprises privées."
)

CLOSED_SECTIONS = [
    (
        "carnet-vaccination",
        "Carnet de vaccination électronique",
        "<p>Le carnet de vaccination devient consultable en ligne, alimenté par les professionnels qui vaccinent.</p>",
        "retenu",
        "Le carnet électronique est confirmé. Suite aux contributions, une version imprimable sera proposée "
        "et les pharmaciens pourront l'alimenter.",
    ),
    (
        "rappels",
        "Rappels personnalisés",
        "<p>Des rappels de vaccination sont envoyés par courriel ou SMS, selon l'âge et les recommandations.</p>",
        "modifie",
        "Les rappels seront désactivés par défaut et activables par la personne, comme plusieurs "
        "contributions le demandaient.",
    ),
    (
        "partage-ecoles",
        "Partage avec les établissements scolaires",
        "<p>Les parents pourraient transmettre une attestation vaccinale aux écoles depuis l'espace numérique.</p>",
        "non_retenu",
        "Le partage direct avec les écoles n'est pas retenu : les contributions ont souligné le risque "
        "de diffusion excessive. L'attestation papier reste la règle.",
    ),
]

CLOSED_THREADS = [
    (
        "carnet-vaccination",
        "pour",
        "Très utile quand on change de médecin ou qu'on a perdu le carnet papier de ses enfants.",
    ),
    (
        "carnet-vaccination",
        "mitige",
        "Il faut une version imprimable : certains pays demandent encore un document papier.",
    ),
    ("carnet-vaccination", "pour", "Les pharmaciens vaccinent désormais : ils doivent pouvoir alimenter le carnet."),
    ("rappels", "contre", "Je ne veux pas recevoir de SMS de l'administration sans l'avoir demandé."),
    ("rappels", "mitige", "Des rappels oui, mais désactivables, et sans lien cliquable pour éviter l'hameçonnage."),
    ("rappels", "pour", "Les rappels du tétanos, tout le monde les oublie. Bonne idée."),
    (
        "partage-ecoles",
        "contre",
        "L'école n'a pas à connaître l'état vaccinal détaillé des enfants au-delà des obligations.",
    ),
    (
        "partage-ecoles",
        "contre",
        "Risque de fuite important : les outils numériques des écoles ne sont pas des hébergeurs de santé.",
    ),
    ("partage-ecoles", "mitige", "Une simple attestation oui/non des vaccins obligatoires suffirait."),
]

CLOSED_SYNTHESIS = (
    "<p>La consultation a réuni des contributions de particuliers, de professionnels de santé et d'associations. "
    "Le carnet de vaccination électronique est largement soutenu ; les rappels personnalisés sont acceptés à "
    "condition d'être choisis par la personne ; le partage direct avec les écoles a suscité des réserves fortes.</p>"
    "<p>Pour chaque partie du texte, la suite donnée et sa motivation figurent ci-dessous.</p>"
)
