"""Consultations: a policy text split into sections, and the citizens' contributions on each section.

Visibility is decided in one place: `ContributionQuerySet.visible_to(user)` (and `.public()` for anonymous
readers, exports, search). Every state change goes through consult/services.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from core import pagecache

STATUS_UPCOMING, STATUS_OPEN, STATUS_CLOSED = "upcoming", "open", "closed"


def page_cache_scope(consultation_id: int) -> str:
    """The version (core/pagecache.py) of every cached page that shows this consultation's contributions."""
    return f"consultation-{consultation_id}"


class ConsultationIndexPage(Page):
    intro = models.TextField(_("chapeau"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["consult.ConsultationPage"]
    max_count = 1

    class Meta:
        verbose_name = _("liste des consultations")

    FILTERS = {"en-cours": STATUS_OPEN, "a-venir": STATUS_UPCOMING, "terminees": STATUS_CLOSED}

    def consultations(self, status: str = "", theme: str = ""):
        """Live consultations under this index, with their published contribution count (one query)."""
        now = timezone.now()
        qs = (
            ConsultationPage.objects.live()
            .public()
            .child_of(self)
            .annotate(published_count=models.Count("contributions", filter=Q(contributions__status="published")))
        )
        if status == STATUS_OPEN:
            qs = qs.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at")
        elif status == STATUS_UPCOMING:
            qs = qs.filter(opens_at__gt=now).order_by("opens_at")
        elif status == STATUS_CLOSED:
            qs = qs.filter(closes_at__lte=now).order_by("-closes_at")
        else:
            qs = qs.order_by("-opens_at")
        if theme:
            qs = qs.filter(themes__slug=theme)
        return qs

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator
        from taggit.models import Tag

        context = super().get_context(request, *args, **kwargs)
        current = request.GET.get("statut", "")
        current = current if current in self.FILTERS else ""
        theme = request.GET.get("theme", "")
        paginator = Paginator(self.consultations(self.FILTERS.get(current, ""), theme).prefetch_related("themes"), 10)
        context.update(
            consultations=paginator.get_page(request.GET.get("page")),
            current_filter=current,
            current_theme=theme,
            filters=[
                ("", _("Toutes")),
                ("en-cours", _("En cours")),
                ("a-venir", _("À venir")),
                ("terminees", _("Terminées")),
            ],
            themes=Tag.objects.filter(consult_consultationtag_items__isnull=False).distinct().order_by("name"),
        )
        return context


class ConsultationTag(TaggedItemBase):
    content_object = ParentalKey("consult.ConsultationPage", related_name="tagged_items", on_delete=models.CASCADE)


class ConsultationPage(Page):
    MODERATION_A_PRIORI = "a_priori"
    MODERATION_A_POSTERIORI = "a_posteriori"
    MODERATION_CHOICES = [
        (MODERATION_A_PRIORI, _("a priori (les contributions sont publiées après validation)")),
        (MODERATION_A_POSTERIORI, _("a posteriori (publication immédiate, modération ensuite)")),
    ]

    summary = models.TextField(_("résumé"))
    easy_read_summary = models.TextField(
        _("résumé facile à lire et à comprendre (FALC)"),
        blank=True,
        help_text=_("Optionnel : une version du résumé en phrases courtes et mots simples."),
    )
    context = RichTextField(_("contexte"), blank=True)
    opens_at = models.DateTimeField(_("ouverture"))
    closes_at = models.DateTimeField(_("clôture"))
    directorate = models.CharField(_("direction pilote"), max_length=200, blank=True)
    moderation_mode = models.CharField(
        _("mode de modération"), max_length=20, choices=MODERATION_CHOICES, default=MODERATION_A_POSTERIORI
    )
    themes = ClusterTaggableManager(through=ConsultationTag, blank=True, verbose_name=_("thèmes"))
    # Closing: the editors' global synthesis, public once published.
    synthesis = RichTextField(_("synthèse"), blank=True)
    synthesis_published_at = models.DateTimeField(_("synthèse publiée le"), null=True, blank=True)
    # Notification bookkeeping: each e-mail wave goes out once (commands and hooks are idempotent).
    synthesis_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    closing_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("easy_read_summary"),
        FieldPanel("context"),
        MultiFieldPanel(
            [FieldPanel("opens_at"), FieldPanel("closes_at"), FieldPanel("moderation_mode")],
            heading=_("Calendrier et modération"),
        ),
        FieldPanel("directorate"),
        FieldPanel("themes"),
        InlinePanel("documents", label=_("Documents")),
        InlinePanel("sections", label=_("Sections du texte"), min_num=1),
        MultiFieldPanel([FieldPanel("synthesis"), FieldPanel("synthesis_published_at")], heading=_("Synthèse")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("easy_read_summary"),
        index.SearchField("context"),
        index.FilterField("opens_at"),
        index.FilterField("closes_at"),
    ]
    parent_page_types = ["consult.ConsultationIndexPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("consultation")

    @property
    def status(self) -> str:
        now = timezone.now()
        if now < self.opens_at:
            return STATUS_UPCOMING
        if now >= self.closes_at:
            return STATUS_CLOSED
        return STATUS_OPEN

    @property
    def is_open(self) -> bool:
        return self.status == STATUS_OPEN

    @property
    def status_valid_until(self) -> float | None:
        """When `status` next changes on its own (a timestamp; None once closed): cached pages expire then."""
        status = self.status
        if status == STATUS_UPCOMING:
            return self.opens_at.timestamp()
        if status == STATUS_OPEN:
            return self.closes_at.timestamp()
        return None

    def get_context(self, request, *args, **kwargs):
        from consult import rules
        from consult.views import consultation_stats

        context = super().get_context(request, *args, **kwargs)
        stats = consultation_stats(self)
        context.update(
            stats=stats,
            documents=self.documents.select_related("document").all(),
            synthesis_published=bool(self.synthesis and self.synthesis_published_at),
            is_following=(request.user.is_authenticated and self.followers.filter(user=request.user).exists()),
            can_export_staff=rules.can_export_staff(request.user),
            can_moderate=rules.can_moderate(request.user),
            post_refusal=rules.post_refusal(request.user, self),
        )
        return context

    @property
    def group_name(self) -> str:
        """The Channels group every live reader of this consultation joins."""
        return f"consultation-{self.pk}"

    @property
    def page_cache_scope(self) -> str:
        return page_cache_scope(self.pk)

    def serve(self, request, *args, **kwargs):
        # Anonymous readers share one rendering per version of the consultation (flash crowds).
        return pagecache.serve(
            request,
            self.page_cache_scope,
            lambda: super(ConsultationPage, self).serve(request, *args, **kwargs),
            self.status_valid_until,
        )


class ConsultationDocument(Orderable):
    page = ParentalKey(ConsultationPage, related_name="documents", on_delete=models.CASCADE)
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("intitulé"), max_length=255, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]


class Section(Orderable):
    """One part of the consultation text; contributions attach to it. `anchor` is its stable URL part."""

    OUTCOME_KEPT, OUTCOME_CHANGED, OUTCOME_DROPPED = "retenu", "modifie", "non_retenu"
    OUTCOME_CHOICES = [
        (OUTCOME_KEPT, _("retenu")),
        (OUTCOME_CHANGED, _("modifié")),
        (OUTCOME_DROPPED, _("non retenu")),
    ]

    page = ParentalKey(ConsultationPage, related_name="sections", on_delete=models.CASCADE)
    title = models.CharField(_("titre"), max_length=255)
    body = RichTextField(_("texte"))
    anchor = models.SlugField(_("ancre"), max_length=80, blank=True, help_text=_("Partie stable de l'adresse."))
    # "Suite donnée", written by editors once the consultation is closed.
    outcome = models.CharField(_("suite donnée"), max_length=20, choices=OUTCOME_CHOICES, blank=True)
    outcome_motivation = models.TextField(_("motivation"), blank=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("anchor"),
        FieldPanel("body"),
        FieldPanel("outcome"),
        FieldPanel("outcome_motivation"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("section")
        constraints = [
            models.UniqueConstraint(fields=["page", "anchor"], condition=~Q(anchor=""), name="unique_section_anchor")
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.anchor:
            self.anchor = slugify(self.title)[:80] or f"section-{self.sort_order or 0}"
        super().save(*args, **kwargs)


class Campaign(models.Model):
    """Near-identical texts posted by several accounts (normalised-text fingerprint)."""

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="campaigns")
    fingerprint = models.CharField(max_length=64, db_index=True)
    sample = models.TextField()
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campagne")
        constraints = [models.UniqueConstraint(fields=["consultation", "fingerprint"], name="unique_campaign")]

    def __str__(self):
        return f"Campagne {self.pk} ({self.size} contributions)"


class ContributionQuerySet(models.QuerySet):
    def public(self):
        """What anyone may read: published contributions (hidden ones show only as a tombstone, see views)."""
        return self.filter(status=Contribution.STATUS_PUBLISHED)

    def visible_to(self, user):
        """Published + the viewer's own pending ones; moderators see everything."""
        from accounts.roles import is_moderator

        if user is not None and is_moderator(user):
            return self
        if user is not None and user.is_authenticated:
            return self.filter(Q(status=Contribution.STATUS_PUBLISHED) | Q(author=user))
        return self.public()

    def threads(self):
        return self.filter(parent__isnull=True)

    def in_threads_for(self, user):
        """What a thread lists for `user`: everything but other people's pending contributions.

        Hidden and withdrawn ones stay listed (as tombstones without body, see consult.serializers) so that
        replies keep their context.
        """
        from accounts.roles import is_moderator

        if user is not None and is_moderator(user):
            return self
        if user is not None and user.is_authenticated:
            return self.filter(~Q(status=Contribution.STATUS_PENDING) | Q(author=user))
        return self.exclude(status=Contribution.STATUS_PENDING)

    def moderation_queue(self):
        """Waiting for a moderator: pending (a priori) or hidden after flags without a moderator's decision."""
        return self.filter(
            Q(status=Contribution.STATUS_PENDING) | Q(status=Contribution.STATUS_HIDDEN, moderated_by__isnull=True)
        )


class Contribution(models.Model):
    STATUS_PUBLISHED = "published"
    STATUS_PENDING = "pending"  # a priori moderation: waiting for a moderator
    STATUS_HIDDEN = "hidden"  # hidden by moderation (or by flags), with a public reason
    STATUS_WITHDRAWN = "withdrawn"  # withdrawn by its author
    STATUS_CHOICES = [
        (STATUS_PUBLISHED, _("publiée")),
        (STATUS_PENDING, _("en attente de modération")),
        (STATUS_HIDDEN, _("masquée par la modération")),
        (STATUS_WITHDRAWN, _("retirée par son auteur·rice")),
    ]
    STANCE_FOR, STANCE_AGAINST, STANCE_MIXED = "pour", "contre", "mitige"
    STANCE_CHOICES = [(STANCE_FOR, _("pour")), (STANCE_AGAINST, _("contre")), (STANCE_MIXED, _("mitigé"))]
    MAX_DEPTH = 2  # top level = 0; replies to a level-2 contribution attach to its parent

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="contributions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="contributions")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    # Thread root (self for top-level ones): one query loads whole threads.
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contributions")
    # The verified association the author speaks for (optional).
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="contributions"
    )
    body = models.TextField(_("contribution"), max_length=5000)
    # Sanitised HTML rendering of `body` (consult.text.render_body), computed once at write time.
    body_html = models.TextField(blank=True, editable=False)
    stance = models.CharField(_("position"), max_length=10, choices=STANCE_CHOICES, blank=True)
    interests = models.TextField(_("déclaration de liens d'intérêts"), blank=True)
    no_interests = models.BooleanField(_("aucun lien d'intérêts"), default=False)
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=STATUS_PUBLISHED, db_index=True)
    # Public reason shown in place of a hidden contribution.
    hidden_reason = models.CharField(_("motif de masquage"), max_length=255, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    receipt_number = models.CharField(_("numéro de récépissé"), max_length=20, unique=True, null=True, blank=True)
    # Client-generated key: the same POST replayed yields the same contribution.
    idempotency_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Denormalised counters, updated with F() by services (never recomputed on read).
    votes_up = models.PositiveIntegerField(default=0)
    votes_down = models.PositiveIntegerField(default=0)
    flags_count = models.PositiveIntegerField(default=0)
    replies_count = models.PositiveIntegerField(default=0)
    # Normalised-text fingerprint for campaign detection.
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="contributions"
    )

    objects = ContributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("contribution")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["section", "parent", "status", "created_at"], name="contrib_section_threads"),
            models.Index(fields=["root", "created_at"], name="contrib_root"),
            models.Index(fields=["consultation", "status", "created_at"], name="contrib_consultation"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="unique_contribution_idempotency",
            ),
        ]

    def __str__(self):
        return self.receipt_number or f"contribution {self.pk}"

    def get_absolute_url(self):
        return reverse("consult:section", args=[self.consultation_id, self.section.anchor]) + f"#contribution-{self.pk}"

    @property
    def score(self) -> int:
        return self.votes_up - self.votes_down


class ContributionRevision(models.Model):
    """Previous text of an edited contribution (edits are allowed for 15 minutes; history is kept)."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Version précédente de la contribution {self.contribution_id}"


class Vote(models.Model):
    AGREE, DISAGREE = 1, -1
    VALUE_CHOICES = [(AGREE, _("d'accord")), (DISAGREE, _("pas d'accord"))]

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consult_votes")
    value = models.SmallIntegerField(choices=VALUE_CHOICES)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contribution", "user"], name="unique_vote")]

    def __str__(self):
        return f"Vote {self.value:+d} sur la contribution {self.contribution_id}"


class Flag(models.Model):
    REASON_CHOICES = [
        ("spam", _("spam")),
        ("abuse", _("propos injurieux")),
        ("off_topic", _("hors sujet")),
        ("personal_data", _("données personnelles ou de santé")),
        ("other", _("autre")),
    ]

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consult_flags")
    reason = models.CharField(_("motif"), max_length=20, choices=REASON_CHOICES)
    text = models.TextField(_("précisions"), blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contribution", "user"], name="unique_flag")]

    def __str__(self):
        return f"Signalement ({self.reason}) de la contribution {self.contribution_id}"


class ParticipationBlock(models.Model):
    """A user barred from contributing by a moderator."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consult_block")
    reason = models.CharField(_("motif"), max_length=255)
    blocked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Blocage du compte {self.user_id}"


class Follow(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consult_follows")
    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "consultation"], name="unique_follow")]

    def __str__(self):
        return f"Abonnement du compte {self.user_id} à la consultation {self.consultation_id}"


class ConsultationEvent(models.Model):
    """Durable log of live events: the socket is best-effort, this table is the source of truth for catch-up.

    `audience` says who may receive it: everyone, moderators only, or moderators + one author (pending items).
    """

    KIND_CREATED, KIND_EDITED, KIND_HIDDEN, KIND_WITHDRAWN, KIND_PUBLISHED, KIND_VOTES = (
        "contribution.created",
        "contribution.edited",
        "contribution.hidden",
        "contribution.withdrawn",
        "contribution.published",
        "contribution.votes",
    )
    AUDIENCE_PUBLIC, AUDIENCE_MODERATORS, AUDIENCE_AUTHOR = "public", "moderators", "author"

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    contribution = models.ForeignKey(Contribution, null=True, on_delete=models.CASCADE, related_name="events")
    audience = models.CharField(max_length=12, default=AUDIENCE_PUBLIC)
    # For AUDIENCE_AUTHOR: the one non-moderator who may see it.
    audience_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["consultation", "id"], name="event_catchup")]

    def __str__(self):
        return f"Événement {self.pk} ({self.kind})"
