"""Calls for projects (Wagtail pages) and the applications organisations file in response.

Every status change of an Application goes through projects/services.py; the models only hold data,
querysets named for intent and small derived properties.
"""

import datetime
import os
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from accounts.models import Organisation

# Deadlines are legal times in mainland France, whatever the server's own time zone.
PARIS = ZoneInfo("Europe/Paris")

# French regions (INSEE codes) plus a national scope; used for territory, filters and the laureates map.
REGION_CHOICES = [
    ("84", "Auvergne-Rhône-Alpes"),
    ("27", "Bourgogne-Franche-Comté"),
    ("53", "Bretagne"),
    ("24", "Centre-Val de Loire"),
    ("94", "Corse"),
    ("44", "Grand Est"),
    ("32", "Hauts-de-France"),
    ("11", "Île-de-France"),
    ("28", "Normandie"),
    ("75", "Nouvelle-Aquitaine"),
    ("76", "Occitanie"),
    ("52", "Pays de la Loire"),
    ("93", "Provence-Alpes-Côte d'Azur"),
    ("01", "Guadeloupe"),
    ("02", "Martinique"),
    ("03", "Guyane"),
    ("04", "La Réunion"),
    ("06", "Mayotte"),
    ("00", "National"),
]
REGION_NAMES = dict(REGION_CHOICES)

PARTNER_KIND_CHOICES = [
    ("startup", _("Start-up")),
    ("health_professional", _("Professionnel·le de santé")),
    ("association", _("Association")),
    ("institution", _("Établissement")),
]
PARTNER_KIND_NAMES = dict(PARTNER_KIND_CHOICES)


class PrivateStorage(FileSystemStorage):
    """Application files: outside MEDIA_ROOT, served only through a permission-checking view."""

    @property
    def base_location(self):
        return getattr(settings, "PROJECTS_PRIVATE_ROOT", str(settings.BASE_DIR / "var" / "private" / "projects"))

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


private_storage = PrivateStorage()


# --- Calls (Wagtail) ----------------------------------------------------------------------------------------


class ProjectCallIndexPage(Page):
    """/appels-a-projets/: open, upcoming and closed calls, filterable by type and theme."""

    intro = models.TextField(_("chapeau"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["projects.ProjectCallPage"]
    parent_page_types = ["core.HomePage"]
    max_count = 1

    class Meta:
        verbose_name = _("liste des appels à projets")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        calls = ProjectCallPage.objects.live().public().child_of(self).order_by("closes_at")
        call_type = request.GET.get("type", "")
        theme = request.GET.get("theme", "")
        status = request.GET.get("statut", "")
        if call_type in dict(ProjectCallPage.TYPE_CHOICES):
            calls = calls.filter(call_type=call_type)
        if theme:
            calls = calls.filter(themes__slug=theme)
        now = timezone.now()
        groups = {"open": [], "upcoming": [], "closed": []}
        for call in calls.distinct():
            groups[call.status_at(now)].append(call)
        if status in groups:
            groups = {key: (value if key == status else []) for key, value in groups.items()}
        context.update(
            groups=groups,
            call_types=ProjectCallPage.TYPE_CHOICES,
            selected_type=call_type,
            selected_theme=theme,
            selected_status=status,
            themes=ProjectCallTag.objects.filter(content_object__in=ProjectCallPage.objects.live())
            .values_list("tag__slug", "tag__name")
            .distinct()
            .order_by("tag__name"),
            results_count=sum(len(v) for v in groups.values()),
        )
        return context


class ProjectCallTag(TaggedItemBase):
    content_object = ParentalKey("projects.ProjectCallPage", on_delete=models.CASCADE, related_name="tagged_items")


class DocumentBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titre"))
    document = DocumentChooserBlock(label=_("document"))

    class Meta:
        icon = "doc-full"
        template = "projects/blocks/document.html"


class FaqBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("question"))
    answer = blocks.RichTextBlock(label=_("réponse"), features=["bold", "italic", "link", "ol", "ul"])

    class Meta:
        icon = "help"


class ProjectCallPage(Page):
    """One call for projects. Its status (upcoming / open / closed) derives from opens_at and closes_at."""

    TYPE_ASSOCIATION = "association"
    TYPE_CONSORTIUM = "consortium"
    TYPE_CHALLENGE = "challenge"
    TYPE_CHOICES = [
        (TYPE_ASSOCIATION, _("Appel aux associations")),
        (TYPE_CONSORTIUM, _("Appel à projets de co-innovation (consortium)")),
        (TYPE_CHALLENGE, _("Challenge")),
    ]
    STATUS_UPCOMING, STATUS_OPEN, STATUS_CLOSED = "upcoming", "open", "closed"

    call_type = models.CharField(_("type d'appel"), max_length=20, choices=TYPE_CHOICES, default=TYPE_ASSOCIATION)
    intro = models.TextField(_("résumé"), help_text=_("Deux ou trois phrases, reprises dans les listes."))
    objectives = RichTextField(_("objectifs"), blank=True)
    eligibility = RichTextField(_("conditions d'éligibilité"), blank=True)
    requires_verified_association = models.BooleanField(
        _("réservé aux associations vérifiées"),
        default=False,
        help_text=_("Seules les associations dont le ministère a vérifié l'identité peuvent candidater."),
    )
    # Consortium calls: at least one partner of each ticked kind.
    requires_startup = models.BooleanField(_("partenaire start-up obligatoire"), default=False)
    requires_health_professional = models.BooleanField(
        _("partenaire professionnel·le de santé obligatoire"), default=False
    )
    requires_association = models.BooleanField(_("partenaire association obligatoire"), default=False)
    requires_institution = models.BooleanField(_("partenaire établissement obligatoire"), default=False)
    total_budget = models.DecimalField(_("budget total (€)"), max_digits=12, decimal_places=2, default=0)
    max_grant = models.DecimalField(_("subvention maximale par projet (€)"), max_digits=12, decimal_places=2, default=0)
    opens_at = models.DateTimeField(_("ouverture"), help_text=_("Heure de Paris."))
    closes_at = models.DateTimeField(
        _("clôture"), help_text=_("Heure de Paris. La minute de clôture est comprise : 23:59 accepte jusqu'à 23:59:59.")
    )
    documents = StreamField(
        [("document", DocumentBlock())], blank=True, use_json_field=True, verbose_name=_("documents")
    )
    faq = StreamField(
        [("question", FaqBlock())], blank=True, use_json_field=True, verbose_name=_("foire aux questions")
    )
    contact = models.TextField(_("contact"), blank=True)
    contact_email = models.EmailField(_("adresse de contact"), blank=True)
    blind_review = models.BooleanField(
        _("évaluation anonyme"),
        default=False,
        help_text=_("Les évaluateur·rices ne voient ni le nom de l'organisation ni ses partenaires."),
    )
    reviewers_per_application = models.PositiveSmallIntegerField(_("évaluateur·rices par candidature"), default=2)
    score_scale = models.PositiveSmallIntegerField(_("note maximale par critère"), default=5)
    themes = ClusterTaggableManager(through=ProjectCallTag, blank=True, verbose_name=_("thèmes"))

    content_panels = Page.content_panels + [
        FieldPanel("call_type"),
        FieldPanel("intro"),
        FieldPanel("themes"),
        MultiFieldPanel([FieldPanel("opens_at"), FieldPanel("closes_at")], heading=_("Calendrier")),
        MultiFieldPanel([FieldPanel("total_budget"), FieldPanel("max_grant")], heading=_("Budget")),
        FieldPanel("objectives"),
        FieldPanel("eligibility"),
        MultiFieldPanel(
            [
                FieldPanel("requires_verified_association"),
                FieldPanel("requires_startup"),
                FieldPanel("requires_health_professional"),
                FieldPanel("requires_association"),
                FieldPanel("requires_institution"),
            ],
            heading=_("Éligibilité"),
        ),
        InlinePanel("criteria", label=_("critères de sélection"), min_num=1),
        MultiFieldPanel(
            [FieldPanel("score_scale"), FieldPanel("reviewers_per_application"), FieldPanel("blind_review")],
            heading=_("Instruction"),
        ),
        FieldPanel("documents"),
        FieldPanel("faq"),
        MultiFieldPanel([FieldPanel("contact"), FieldPanel("contact_email")], heading=_("Contact")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("objectives"),
        index.SearchField("eligibility"),
        index.FilterField("call_type"),
        index.FilterField("closes_at"),
        index.RelatedFields("themes", [index.SearchField("name")]),
    ]
    parent_page_types = ["projects.ProjectCallIndexPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("appel à projets")
        verbose_name_plural = _("appels à projets")

    # --- calendar -----------------------------------------------------------------------------------------
    @property
    def deadline(self):
        """Last instant accepted: the closing minute counts entirely (23:59 → 23:59:59.999999)."""
        local = timezone.localtime(self.closes_at, PARIS).replace(second=0, microsecond=0)
        return local + datetime.timedelta(minutes=1)

    def status_at(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.opens_at:
            return self.STATUS_UPCOMING
        if now < self.deadline:
            return self.STATUS_OPEN
        return self.STATUS_CLOSED

    @property
    def status(self) -> str:
        return self.status_at()

    def is_open(self, now=None) -> bool:
        return self.status_at(now) == self.STATUS_OPEN

    @property
    def status_label(self):
        return {self.STATUS_UPCOMING: _("À venir"), self.STATUS_OPEN: _("Ouvert"), self.STATUS_CLOSED: _("Clôturé")}[
            self.status
        ]

    @property
    def is_consortium(self) -> bool:
        return self.call_type == self.TYPE_CONSORTIUM

    @property
    def required_partner_kinds(self) -> list[str]:
        flags = [
            ("startup", self.requires_startup),
            ("health_professional", self.requires_health_professional),
            ("association", self.requires_association),
            ("institution", self.requires_institution),
        ]
        return [kind for kind, required in flags if required]

    @property
    def required_partner_labels(self):
        return [PARTNER_KIND_NAMES[kind] for kind in self.required_partner_kinds]

    @cached_property
    def criteria_list(self):
        return list(self.criteria.all())

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from projects import rules

        user = request.user
        context["my_applications"] = (
            Application.objects.for_member(user).filter(call=self).select_related("organisation")
            if user.is_authenticated
            else []
        )
        context["can_start"] = user.is_authenticated and self.is_open()
        context["laureates"] = Application.objects.laureates().filter(call=self).select_related("organisation")[:12]
        context["is_manager"] = rules.can_manage(user)
        return context


class CallCriterion(Orderable):
    """A selection criterion with its weight in the weighted total."""

    page = ParentalKey(ProjectCallPage, on_delete=models.CASCADE, related_name="criteria")
    label = models.CharField(_("critère"), max_length=200)
    description = models.TextField(_("précisions"), blank=True)
    weight = models.PositiveSmallIntegerField(_("pondération"), default=1)

    panels = [FieldPanel("label"), FieldPanel("description"), FieldPanel("weight")]

    class Meta(Orderable.Meta):
        verbose_name = _("critère de sélection")

    def __str__(self):
        return f"{self.label} (×{self.weight})"


# --- Applications ---------------------------------------------------------------------------------------------


class ApplicationQuerySet(models.QuerySet):
    def for_member(self, user):
        """Applications of the organisations the user belongs to (any role)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__memberships__user=user)

    def assigned_to(self, user):
        """Applications a reviewer may read: assigned, conflicts declared, not recused."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            assignments__reviewer=user, assignments__recused=False, assignments__conflict_declared_at__isnull=False
        ).exclude(status__in=[Application.STATUS_DRAFT, Application.STATUS_WITHDRAWN])

    def submitted(self):
        """Everything staff handles: all but drafts."""
        return self.exclude(status=Application.STATUS_DRAFT)

    def undecided(self):
        return self.filter(status__in=Application.UNDECIDED_STATUSES)

    def laureates(self):
        """Accepted projects: the only applications the public ever sees."""
        return self.filter(status=Application.STATUS_ACCEPTED, call__live=True)


class Application(models.Model):
    STATUS_DRAFT = "draft"
    STATUS_SUBMITTED = "submitted"
    STATUS_ELIGIBLE = "eligible"
    STATUS_INELIGIBLE = "ineligible"
    STATUS_UNDER_REVIEW = "under_review"
    STATUS_CORRECTIONS_REQUESTED = "corrections_requested"
    STATUS_RESUBMITTED = "resubmitted"
    STATUS_SHORTLISTED = "shortlisted"
    STATUS_ACCEPTED = "accepted"
    STATUS_REJECTED = "rejected"
    STATUS_WITHDRAWN = "withdrawn"
    STATUS_CHOICES = [
        (STATUS_DRAFT, _("Brouillon")),
        (STATUS_SUBMITTED, _("Déposée")),
        (STATUS_ELIGIBLE, _("Recevable")),
        (STATUS_INELIGIBLE, _("Irrecevable")),
        (STATUS_UNDER_REVIEW, _("En instruction")),
        (STATUS_CORRECTIONS_REQUESTED, _("Compléments demandés")),
        (STATUS_RESUBMITTED, _("Complétée")),
        (STATUS_SHORTLISTED, _("Présélectionnée")),
        (STATUS_ACCEPTED, _("Retenue")),
        (STATUS_REJECTED, _("Non retenue")),
        (STATUS_WITHDRAWN, _("Retirée")),
    ]
    UNDECIDED_STATUSES = [
        STATUS_DRAFT,
        STATUS_SUBMITTED,
        STATUS_ELIGIBLE,
        STATUS_UNDER_REVIEW,
        STATUS_CORRECTIONS_REQUESTED,
        STATUS_RESUBMITTED,
        STATUS_SHORTLISTED,
    ]
    # Statuses in which reviewers may score.
    REVIEWABLE_STATUSES = [STATUS_UNDER_REVIEW, STATUS_CORRECTIONS_REQUESTED, STATUS_RESUBMITTED, STATUS_SHORTLISTED]
    STATUS_BADGES = {
        STATUS_DRAFT: "info",
        STATUS_SUBMITTED: "new",
        STATUS_ELIGIBLE: "info",
        STATUS_INELIGIBLE: "error",
        STATUS_UNDER_REVIEW: "info",
        STATUS_CORRECTIONS_REQUESTED: "warning",
        STATUS_RESUBMITTED: "new",
        STATUS_SHORTLISTED: "info",
        STATUS_ACCEPTED: "success",
        STATUS_REJECTED: "error",
        STATUS_WITHDRAWN: "warning",
    }

    SECTION_IDENTITY, SECTION_PROJECT, SECTION_BUDGET = "identity", "project", "budget"
    SECTION_PARTNERS, SECTION_ATTACHMENTS = "partners", "attachments"
    SECTION_CHOICES = [
        (SECTION_IDENTITY, _("Identité")),
        (SECTION_PROJECT, _("Projet")),
        (SECTION_BUDGET, _("Budget")),
        (SECTION_PARTNERS, _("Partenaires")),
        (SECTION_ATTACHMENTS, _("Pièces jointes")),
    ]

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(
        ProjectCallPage, on_delete=models.PROTECT, related_name="applications", verbose_name=_("appel")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="applications", verbose_name=_("organisation")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("statut"), max_length=30, choices=STATUS_CHOICES, default=STATUS_DRAFT, db_index=True)
    reference = models.CharField(_("numéro de dossier"), max_length=30, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décision le"), null=True, blank=True)

    # Identity (prefilled from the organisation, editable for this application).
    legal_name = models.CharField(_("dénomination"), max_length=200, blank=True)
    rna = models.CharField(_("numéro RNA"), max_length=10, blank=True)
    siret = models.CharField(_("numéro SIRET"), max_length=14, blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    city = models.CharField(_("commune"), max_length=120, blank=True)
    contact_name = models.CharField(_("personne référente"), max_length=120, blank=True)
    contact_email = models.EmailField(_("adresse électronique de la personne référente"), blank=True)
    contact_phone = models.CharField(_("téléphone"), max_length=30, blank=True)

    # Project.
    title = models.CharField(_("titre du projet"), max_length=200, blank=True)
    summary = models.TextField(_("résumé"), max_length=1000, blank=True)
    description = models.TextField(_("description détaillée"), blank=True)
    target_public = models.TextField(_("public visé"), blank=True)
    region = models.CharField(_("région principale"), max_length=2, choices=REGION_CHOICES, blank=True)
    departments = models.CharField(_("départements concernés"), max_length=200, blank=True)
    duration_months = models.PositiveSmallIntegerField(_("durée (mois)"), null=True, blank=True)
    expected_outcomes = models.TextField(_("résultats attendus"), blank=True)

    # Budget (lines in BudgetLine).
    co_funding = models.DecimalField(
        _("cofinancements obtenus ou sollicités (€)"), max_digits=12, decimal_places=2, default=0
    )
    requested_amount = models.DecimalField(_("montant demandé (€)"), max_digits=12, decimal_places=2, default=0)

    sworn_declaration = models.BooleanField(_("déclaration sur l'honneur"), default=False)

    # Staff decisions.
    eligibility_reason = models.TextField(_("motif d'irrecevabilité"), blank=True)
    granted_amount = models.DecimalField(
        _("montant accordé (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decision_motivation = models.TextField(_("motivation de la décision"), blank=True)
    # Sections the applicant may edit while corrections are requested.
    unlocked_sections = models.JSONField(default=list, blank=True)
    # Raw form input not yet valid (per step): what the person typed is never lost.
    draft_data = models.JSONField(default=dict, blank=True)
    completed_steps = models.JSONField(default=list, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self):
        return self.reference or self.title or str(_("Candidature sans titre"))

    def get_absolute_url(self):
        return reverse("projects:application_detail", args=[self.pk])

    def get_public_url(self):
        return reverse("projects:laureate_detail", args=[self.reference])

    @property
    def is_editable(self) -> bool:
        return self.status in (self.STATUS_DRAFT, self.STATUS_CORRECTIONS_REQUESTED)

    @property
    def is_decided(self) -> bool:
        return self.status not in self.UNDECIDED_STATUSES

    @property
    def status_badge(self) -> str:
        return self.STATUS_BADGES.get(self.status, "info")

    @property
    def region_name(self) -> str:
        return REGION_NAMES.get(self.region, "")

    def steps(self) -> list[str]:
        """Form steps for this call: partners only for consortium calls."""
        steps = [self.SECTION_IDENTITY, self.SECTION_PROJECT, self.SECTION_BUDGET]
        if self.call.is_consortium:
            steps.append(self.SECTION_PARTNERS)
        return steps + [self.SECTION_ATTACHMENTS, "declaration"]

    def section_editable(self, section: str) -> bool:
        if self.status == self.STATUS_DRAFT:
            return True
        return self.status == self.STATUS_CORRECTIONS_REQUESTED and section in self.unlocked_sections

    @property
    def expenses_total(self) -> Decimal:
        return sum((line.amount for line in self.budget_lines.all()), Decimal("0"))


class BudgetLine(models.Model):
    CATEGORY_CHOICES = [
        ("staff", _("Personnel")),
        ("services", _("Prestations externes")),
        ("equipment", _("Équipement et logiciels")),
        ("communication", _("Communication et événements")),
        ("travel", _("Déplacements")),
        ("other", _("Autres dépenses")),
    ]
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("catégorie"), max_length=20, choices=CATEGORY_CHOICES)
    label = models.CharField(_("intitulé"), max_length=200)
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.label} ({self.amount} €)"


class Partner(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("nom du partenaire"), max_length=200)
    kind = models.CharField(_("type"), max_length=30, choices=PARTNER_KIND_CHOICES)
    role = models.CharField(_("rôle dans le projet"), max_length=300)
    siret = models.CharField(_("SIRET ou RNA"), max_length=14, blank=True)
    # Set when the partner is an organisation known to the platform (conflict-of-interest checks).
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="partnerships"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name


def attachment_path(instance, filename):
    # Random names: the original name is kept in the database only.
    ext = os.path.splitext(filename)[1].lower()
    return f"{instance.application.uuid}/{uuid.uuid4().hex}{ext}"


class Attachment(models.Model):
    KIND_CHOICES = [
        ("statutes", _("Statuts")),
        ("budget", _("Budget détaillé")),
        ("letter", _("Lettre de soutien ou d'engagement")),
        ("report", _("Rapport d'activité")),
        ("other", _("Autre document")),
    ]
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        "projects.Message", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("type de document"), max_length=20, choices=KIND_CHOICES, default="other")
    file = models.FileField(upload_to=attachment_path, storage=private_storage, max_length=255)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=120)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("projects:attachment_download", args=[self.application_id, self.pk])


class Message(models.Model):
    """Thread between ministry staff and the applicant, on one application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_staff = models.BooleanField(default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.application} — {self.created_at:%Y-%m-%d %H:%M}"


class ReviewAssignmentQuerySet(models.QuerySet):
    def active(self):
        """Assignments that count: the reviewer is not recused."""
        return self.filter(recused=False)


class ReviewAssignment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    # Conflict of interest: declared before any access to the file; a link recuses automatically.
    conflict_declared_at = models.DateTimeField(null=True, blank=True)
    recused = models.BooleanField(default=False)
    # Set when the reviewer finalises the grid; only finalised reviews count in the ranking.
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Weighted total of the finalised grid, on the call's scale (Σ value × weight / Σ weight). Written when the
    # grid is finalised (and again if the call's weights change): the ranking aggregates it in SQL.
    weighted_total = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    private_comment = models.TextField(_("commentaire privé"), blank=True)

    objects = ReviewAssignmentQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="unique_review_assignment")]
        ordering = ["pk"]

    def __str__(self):
        return f"{self.application} → {self.reviewer}"


class ConflictDeclaration(models.Model):
    """What the reviewer declared: links with the applicant, with partners, or none."""

    assignment = models.OneToOneField(ReviewAssignment, on_delete=models.CASCADE, related_name="declaration")
    linked_to_applicant = models.BooleanField(_("lien avec l'organisation candidate"), default=False)
    linked_partners = models.ManyToManyField(Partner, blank=True, related_name="+")
    note = models.TextField(_("précisions"), blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.assignment} ({self.declared_at:%Y-%m-%d})"

    @property
    def has_conflict(self) -> bool:
        return self.linked_to_applicant or self.linked_partners.exists()


class Score(models.Model):
    assignment = models.ForeignKey(ReviewAssignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(CallCriterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(_("note"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="unique_score")]

    def __str__(self):
        return f"{self.criterion.label}: {self.value}"


class AuditEntry(models.Model):
    """One line per state change or staff action on an application (who, what, when, from → to)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=50)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("entrée du journal")

    def __str__(self):
        return f"{self.action} {self.from_status} → {self.to_status}"
