"""People and the organisations they speak for."""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.validators import normalize_identifier, validate_rna, validate_siret

ANONYMOUS_NAME = "Participant·e anonyme"


class User(AbstractUser):
    """A person. Logs in with an e-mail; shows a display name (a pseudonym is fine)."""

    email = models.EmailField(_("adresse électronique"), unique=True)
    display_name = models.CharField(
        _("nom affiché"),
        max_length=60,
        blank=True,
        help_text=_("Nom visible publiquement à côté de vos contributions. Un pseudonyme est accepté."),
    )
    # Set when the person deleted their account: contributions stay, anonymised.
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur·rice")
        verbose_name_plural = _("utilisateur·rices")

    @property
    def public_name(self) -> str:
        if self.anonymised_at:
            return ANONYMOUS_NAME
        return self.display_name or self.first_name or ANONYMOUS_NAME

    def __str__(self):
        return self.public_name if self.anonymised_at else (self.display_name or self.email or self.username)


class OrganisationQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(verified_at__isnull=False)

    def for_member(self, user):
        """Organisations the user belongs to (any role)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()


class Organisation(models.Model):
    KIND_ASSOCIATION = "association"
    KIND_STARTUP = "startup"
    KIND_HEALTH_PRO = "health_professional"
    KIND_INSTITUTION = "institution"
    KIND_CHOICES = [
        (KIND_ASSOCIATION, _("Association de patients ou d'usagers")),
        (KIND_STARTUP, _("Start-up / entreprise")),
        (KIND_HEALTH_PRO, _("Professionnel·le·s de santé")),
        (KIND_INSTITUTION, _("Établissement ou institution")),
    ]

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(_("type"), max_length=30, choices=KIND_CHOICES, default=KIND_ASSOCIATION)
    rna = models.CharField(
        _("numéro RNA"), max_length=10, blank=True, validators=[validate_rna], help_text=_("W suivi de 9 chiffres.")
    )
    siret = models.CharField(
        _("numéro SIRET"), max_length=14, blank=True, validators=[validate_siret], help_text=_("14 chiffres.")
    )
    description = models.TextField(_("présentation"), blank=True)
    website = models.URLField(_("site internet"), blank=True)
    email = models.EmailField(_("adresse de contact"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    city = models.CharField(_("commune"), max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Verification by ministry staff: who and when; the public badge reads from it.
    verified_at = models.DateTimeField(_("vérifiée le"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        permissions = [("verify_organisation", "Peut vérifier une organisation")]
        constraints = [
            models.UniqueConstraint(fields=["rna"], condition=~Q(rna=""), name="unique_org_rna"),
            models.UniqueConstraint(fields=["siret"], condition=~Q(siret=""), name="unique_org_siret"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify(self.name)[:200] or "organisation"
            slug, n = base, 2
            while Organisation.objects.filter(slug=slug).exclude(pk=self.pk).exists():
                slug, n = f"{base}-{n}", n + 1
            self.slug = slug
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("accounts:organisation_detail", args=[self.slug])

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def clean(self):
        from django.core.exceptions import ValidationError

        self.rna = normalize_identifier(self.rna)
        self.siret = normalize_identifier(self.siret)
        if self.kind == self.KIND_ASSOCIATION and not (self.rna or self.siret):
            raise ValidationError(_("Une association doit indiquer son numéro RNA ou son numéro SIRET."))

    def role_of(self, user):
        if not user.is_authenticated:
            return None
        membership = self.memberships.filter(user=user).first()
        return membership.role if membership else None


class Membership(models.Model):
    ROLE_ADMIN = "admin"
    ROLE_MEMBER = "member"
    ROLE_CHOICES = [(ROLE_ADMIN, _("administrateur·rice")), (ROLE_MEMBER, _("membre"))]

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=10, choices=ROLE_CHOICES, default=ROLE_MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adhésion")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="unique_membership")]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"


def _invitation_token():
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse électronique"))
    role = models.CharField(_("rôle"), max_length=10, choices=Membership.ROLE_CHOICES, default=Membership.ROLE_MEMBER)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True),
                name="unique_pending_invitation",
            )
        ]

    def __str__(self):
        return f"Invitation {self.pk} à rejoindre {self.organisation_id}"

    @property
    def is_expired(self) -> bool:
        return self.created_at < timezone.now() - timezone.timedelta(days=14)
