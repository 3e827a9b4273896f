from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.utils import dsfr_input_class_attr

from core.forms import DsfrForm, HoneypotMixin
from livinglabs import choices, geo
from livinglabs.models import LivingLabPage, current_year

ALL = _("Tous")


def with_empty(options, label=ALL):
    return [("", label)] + list(options)


class LabFilterForm(DsfrForm):
    """The directory filters (GET). Invalid values are dropped rather than failing the whole search."""

    q = forms.CharField(
        label=_("Rechercher"), required=False, max_length=100, help_text=_("Nom, commune ou mot de la description")
    )
    region = forms.ChoiceField(
        label=_("Région"), required=False, choices=lambda: with_empty(geo.region_choices(), _("Toutes"))
    )
    department = forms.ChoiceField(
        label=_("Département"), required=False, choices=lambda: with_empty(geo.department_choices())
    )
    # A slug: validated loosely so the JSON and exports need no query to build the choices.
    theme = forms.SlugField(
        label=_("Thématique"), required=False, max_length=100, widget=forms.Select(choices=[("", _("Toutes"))])
    )
    public = forms.ChoiceField(label=_("Public"), required=False, choices=with_empty(choices.PUBLICS))
    service = forms.ChoiceField(label=_("Service"), required=False, choices=with_empty(choices.SERVICES))
    structure = forms.ChoiceField(
        label=_("Type de structure"), required=False, choices=with_empty(choices.STRUCTURE_TYPES)
    )

    def set_theme_choices(self, themes):
        self.fields["theme"].widget.choices = [("", _("Toutes"))] + [(t["slug"], t["name"]) for t in themes]

    def filters(self) -> dict:
        self.is_valid()
        return {key: value for key, value in getattr(self, "cleaned_data", {}).items() if value}


PROPOSAL_FIELDS = [
    "title",
    "description",
    "structure_type",
    "address",
    "postcode",
    "commune",
    "insee_code",
    "latitude",
    "longitude",
    "tags",
    "publics",
    "services",
    "equipment",
    "enoll_member",
    "year_founded",
    "website",
    "siret",
    "contact_email",
    "status",
]


class LabProposalForm(HoneypotMixin, DsfrForm):
    """Self-declaration (and later updates) by a logged-in person; editors validate in the Wagtail admin.

    A plain form built from the model fields: a ModelForm on an unsaved Page would run Wagtail's slug check,
    which needs the page to be in the tree already.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_fields = forms.fields_for_model(LivingLabPage, fields=PROPOSAL_FIELDS)
        honeypot = self.fields.pop("website_url")
        for name in PROPOSAL_FIELDS:
            self.fields[name] = model_fields[name]
        self.fields["website_url"] = honeypot
        self.fields["title"].label = _("Nom du living lab")
        self.fields["title"].help_text = ""
        self.fields["tags"] = forms.CharField(
            label=_("Thématiques"),
            required=False,
            max_length=500,
            help_text=_("Séparées par des virgules, ex. : vieillissement, santé mentale, e-santé"),
        )
        self.fields["latitude"].help_text = _("En degrés décimaux, ex. 45.764 (visible sur geoportail.gouv.fr)")
        self.fields["contact_email"].label = _("E-mail de contact")
        self.fields["contact_email"].help_text = _("Jamais affiché : les messages du public vous sont relayés.")
        self.fields["publics"].required = True
        self.fields["services"].required = True
        self.fields["description"].widget.attrs["rows"] = 6
        self.fields["equipment"].widget.attrs["rows"] = 3
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def clean_tags(self):
        names = [name.strip() for name in self.cleaned_data.get("tags", "").split(",")]
        names = [name[:100] for name in names if name]
        return list(dict.fromkeys(name.lower() for name in names))[:10]

    def clean(self):
        cleaned = super().clean()
        postcode, insee = cleaned.get("postcode"), cleaned.get("insee_code")
        if postcode and not geo.department_code_for(postcode, insee or ""):
            self.add_error("postcode", _("Ce code postal ne correspond à aucun département français."))
        message = geo.coordinates_error(cleaned.get("latitude"), cleaned.get("longitude"))
        if message:
            self.add_error("latitude", message)
        year = cleaned.get("year_founded")
        if year and year > current_year():
            self.add_error("year_founded", _("L'année de création ne peut pas être dans le futur."))
        return cleaned

    @classmethod
    def initial_from(cls, lab):
        initial = {name: getattr(lab, name) for name in PROPOSAL_FIELDS if name != "tags"}
        initial["tags"] = ", ".join(tag.name for tag in lab.tags.all())
        return initial


class ContactForm(HoneypotMixin, DsfrForm):
    name = forms.CharField(label=_("Votre nom"), max_length=120)
    email = forms.EmailField(label=_("Votre adresse e-mail"), help_text=_("Format attendu : nom@domaine.fr"))
    message = forms.CharField(label=_("Votre message"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5}))


class VerificationForm(DsfrForm):
    ACTION_CONFIRM = "confirm"
    ACTION_CHANGES = "changes"
    action = forms.ChoiceField(
        label=_("Ces informations sont-elles à jour ?"),
        widget=forms.RadioSelect,
        choices=[
            (ACTION_CONFIRM, _("Oui, les informations sont à jour")),
            (ACTION_CHANGES, _("Non, je signale des changements")),
        ],
    )
    changes = forms.CharField(
        label=_("Changements à apporter"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    status = forms.ChoiceField(label=_("Statut de la structure"), choices=choices.STATUSES)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.ACTION_CHANGES and not cleaned.get("changes", "").strip():
            self.add_error("changes", _("Décrivez les changements à apporter."))
        return cleaned
