"""Living labs directory: one Wagtail page per lab under a single index page (/living-labs/).

Being pages, labs get revisions, the moderation workflow and the admin for free; the fields the map and
exports need are plain columns so they can be read with `.values()` without loading page objects.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import Page
from wagtail.search import index

from livinglabs import choices, geo
from livinglabs.fields import ChoiceListField
from livinglabs.querysets import LivingLabManager


class LivingLabIndexPage(Page):
    """The map and the directory (filters, accessible list); labs are its children."""

    intro = models.TextField(_("chapeau"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["core.HomePage"]
    subpage_types = ["livinglabs.LivingLabPage"]
    max_count = 1

    class Meta:
        verbose_name = _("carte des living labs")

    def get_context(self, request, *args, **kwargs):
        from livinglabs.views import directory_context

        context = super().get_context(request, *args, **kwargs)
        context.update(directory_context(request, index_page=self))
        return context


class LivingLabTag(TaggedItemBase):
    content_object = ParentalKey("livinglabs.LivingLabPage", related_name="tagged_items", on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("thématique d'un living lab")


def current_year():
    return timezone.localdate().year


postcode_validator = RegexValidator(r"^\d{5}$", _("Le code postal doit comporter 5 chiffres."))
insee_validator = RegexValidator(
    r"^(\d{5}|2[ABab]\d{3})$", _("Le code commune INSEE comporte 5 caractères (ex. 75056, 2A004).")
)
siret_validator = RegexValidator(r"^\d{14}$", _("Le SIRET comporte 14 chiffres."))


class LivingLabPage(Page):
    STATUS_ACTIVE = choices.STATUS_ACTIVE
    STATUS_DORMANT = choices.STATUS_DORMANT

    # Stable key for bulk imports (the `identifiant` column); never shown.
    identifier = models.CharField(
        _("identifiant"), max_length=64, blank=True, db_index=True, help_text=_("Clé stable utilisée par l'import CSV.")
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo"),
    )
    description = models.TextField(_("description"))
    structure_type = models.CharField(_("type de structure"), max_length=32, choices=choices.STRUCTURE_TYPES)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, validators=[postcode_validator])
    commune = models.CharField(_("commune"), max_length=120)
    insee_code = models.CharField(
        _("code commune INSEE"),
        max_length=5,
        blank=True,
        validators=[insee_validator],
        help_text=_("Facultatif ; il prime sur le code postal pour déduire le département."),
    )
    department = models.CharField(
        _("département"),
        max_length=3,
        blank=True,
        db_index=True,
        choices=geo.department_choices,
        help_text=_("Déduit du code postal s'il est laissé vide."),
    )
    region = models.CharField(
        _("région"),
        max_length=3,
        blank=True,
        db_index=True,
        choices=geo.region_choices,
        help_text=_("Déduite du département si elle est laissée vide."),
    )
    latitude = models.FloatField(_("latitude"), help_text=_("En degrés décimaux, ex. 45.764"))
    longitude = models.FloatField(_("longitude"), help_text=_("En degrés décimaux, ex. 4.8357"))
    tags = ClusterTaggableManager(
        through=LivingLabTag,
        blank=True,
        verbose_name=_("thématiques"),
        help_text=_("Ex. vieillissement, handicap, santé mentale, e-santé"),
    )
    publics = ChoiceListField(_("publics cibles"), item_choices=choices.PUBLICS)
    services = ChoiceListField(_("services proposés"), item_choices=choices.SERVICES)
    equipment = models.TextField(_("équipements"), blank=True)
    enoll_member = models.BooleanField(_("membre du réseau ENoLL"), default=False)
    year_founded = models.PositiveSmallIntegerField(
        _("année de création"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1990, _("L'année doit être postérieure à 1990.")), MaxValueValidator(2100)],
    )
    website = models.URLField(_("site internet"), blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[siret_validator])
    # Never displayed: the public contacts the lab through a relay form.
    contact_email = models.EmailField(_("e-mail de contact (jamais affiché)"))
    status = models.CharField(
        _("statut"), max_length=16, choices=choices.STATUSES, default=STATUS_ACTIVE, db_index=True
    )
    last_verified = models.DateField(
        _("dernière vérification"),
        default=timezone.localdate,
        help_text=_("Date à laquelle la structure a confirmé ses informations."),
    )
    # When the yearly re-validation e-mail was last sent (null: never for the current verification).
    revalidation_sent_at = models.DateTimeField(_("relance envoyée le"), null=True, blank=True, editable=False)
    # Who declared the lab on the site (None for imported or editor-created labs).
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_living_labs",
        verbose_name=_("proposé par"),
        editable=False,
    )

    objects = LivingLabManager()

    content_panels = Page.content_panels + [
        FieldPanel("description"),
        FieldPanel("logo"),
        FieldPanel("structure_type"),
        FieldPanel("tags"),
        FieldPanel("publics"),
        FieldPanel("services"),
        FieldPanel("equipment"),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldRowPanel([FieldPanel("postcode"), FieldPanel("commune"), FieldPanel("insee_code")]),
                FieldRowPanel([FieldPanel("department"), FieldPanel("region")]),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            ],
            heading=_("Localisation"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("website"),
                FieldPanel("contact_email"),
                FieldPanel("siret"),
                FieldRowPanel([FieldPanel("year_founded"), FieldPanel("enoll_member")]),
            ],
            heading=_("Structure"),
        ),
        MultiFieldPanel(
            [FieldPanel("status"), FieldPanel("last_verified"), FieldPanel("identifier")], heading=_("Suivi")
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("description"),
        index.SearchField("commune"),
        index.SearchField("equipment"),
        index.AutocompleteField("commune"),
        index.FilterField("department"),
        index.FilterField("region"),
        index.FilterField("status"),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]
    parent_page_types = ["livinglabs.LivingLabIndexPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("living lab")
        verbose_name_plural = _("living labs")

    # --- derived values ---------------------------------------------------------------------------------
    def fill_geography(self, force: bool = False):
        """Derive department and region from the commune code / postcode (kept when an editor set them)."""
        if force or not self.department:
            code = geo.department_code_for(self.postcode, self.insee_code)
            if code:
                self.department = code
        if (force or not self.region) and self.department in geo.departments():
            self.region = geo.departments()[self.department].region_code

    def clean(self):
        super().clean()
        errors = {}
        self.fill_geography()
        if self.postcode and not geo.department_code_for(self.postcode, self.insee_code):
            errors["postcode"] = _("Ce code postal ne correspond à aucun département français.")
        message = geo.coordinates_error(self.latitude, self.longitude)
        if message:
            errors["latitude"] = message
        if self.year_founded and self.year_founded > current_year():
            errors["year_founded"] = _("L'année de création ne peut pas être dans le futur.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.fill_geography()
        return super().save(*args, **kwargs)

    @property
    def department_name(self):
        dept = geo.departments().get(self.department)
        return dept.name if dept else ""

    @property
    def region_name(self):
        return geo.regions().get(self.region, "")

    @property
    def structure_type_label(self):
        return choices.label(choices.STRUCTURE_TYPES, self.structure_type)

    @property
    def publics_labels(self):
        return [choices.label(choices.PUBLICS, code) for code in self.publics]

    @property
    def services_labels(self):
        return [choices.label(choices.SERVICES, code) for code in self.services]

    @property
    def is_dormant(self):
        return self.status == self.STATUS_DORMANT

    def verification_overdue_since(self, today=None):
        """The last verification date when it is older than the grace period (shown on the page), else None."""
        from livinglabs.settings import overdue_cutoff

        if self.last_verified and self.last_verified < overdue_cutoff(today):
            return self.last_verified
        return None

    def get_context(self, request, *args, **kwargs):
        from livinglabs.views import detail_context

        context = super().get_context(request, *args, **kwargs)
        context.update(detail_context(request, self))
        return context


def months_ago(months: int, today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    year, month = divmod(today.month - 1 - months, 12)
    year += today.year
    month += 1
    day = min(
        today.day,
        [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
            month - 1
        ],
    )
    return datetime.date(year, month, day)
