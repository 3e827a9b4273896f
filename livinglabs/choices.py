"""Controlled vocabularies of the directory (stable codes stored, French labels shown)."""

from django.utils.translation import gettext_lazy as _

STRUCTURE_TYPES = [
    ("etablissement_sante", _("Établissement de santé")),
    ("medico_social", _("Établissement ou service médico-social")),
    ("universite", _("Université ou organisme de recherche")),
    ("association", _("Association")),
    ("entreprise", _("Entreprise")),
    ("collectivite", _("Collectivité territoriale")),
    ("tiers_lieu", _("Tiers-lieu")),
    ("autre", _("Autre")),
]

PUBLICS = [
    ("patients", _("Patients")),
    ("personnes_agees", _("Personnes âgées")),
    ("handicap", _("Personnes en situation de handicap")),
    ("aidants", _("Aidants")),
    ("professionnels", _("Professionnels de santé")),
    ("jeunes", _("Enfants et jeunes")),
    ("grand_public", _("Grand public")),
    ("entreprises", _("Entreprises et porteurs de projets")),
]

SERVICES = [
    ("co_conception", _("Co-conception")),
    ("tests_usage", _("Tests d'usage")),
    ("evaluation", _("Évaluation")),
    ("formation", _("Formation")),
    ("accompagnement", _("Accompagnement de projets")),
    ("prototypage", _("Prototypage")),
    ("recherche", _("Recherche participative")),
    ("acculturation", _("Sensibilisation et acculturation")),
]

STATUS_ACTIVE = "actif"
STATUS_DORMANT = "en_sommeil"
STATUSES = [(STATUS_ACTIVE, _("Actif")), (STATUS_DORMANT, _("En sommeil"))]


def label(choices, code):
    return dict(choices).get(code, code)
