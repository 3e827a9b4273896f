from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Invitation, Membership, Organisation, User
from accounts.validators import normalize_identifier
from core.forms import DsfrForm, DsfrModelForm


class SignupForm(AllauthSignupForm):
    display_name = forms.CharField(
        label=_("Nom affiché"),
        max_length=60,
        required=False,
        help_text=_("Visible à côté de vos contributions. Un pseudonyme est accepté."),
    )

    def save(self, request):
        user = super().save(request)
        user.display_name = self.cleaned_data.get("display_name", "")
        user.save(update_fields=["display_name"])
        return user


class ProfileForm(DsfrModelForm):
    class Meta:
        model = User
        fields = ["display_name", "first_name", "last_name"]
        labels = {"first_name": _("Prénom (non public)"), "last_name": _("Nom (non public)")}


class DeleteAccountForm(DsfrForm):
    password = forms.CharField(label=_("Votre mot de passe, pour confirmer"), widget=forms.PasswordInput)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError(_("Mot de passe incorrect."))
        return ""


class OrganisationForm(DsfrModelForm):
    # Wider than the stored value: people type spaces and dots ("W 751 234 567", "732 829 320 00074").
    rna = forms.CharField(label=_("Numéro RNA"), max_length=20, required=False, help_text=_("W suivi de 9 chiffres."))
    siret = forms.CharField(label=_("Numéro SIRET"), max_length=30, required=False, help_text=_("14 chiffres."))

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "rna",
            "siret",
            "description",
            "website",
            "email",
            "phone",
            "address",
            "postcode",
            "city",
        ]

    def clean_rna(self):
        return normalize_identifier(self.cleaned_data.get("rna", ""))

    def clean_siret(self):
        return normalize_identifier(self.cleaned_data.get("siret", ""))


class InvitationForm(DsfrModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "role"]


class MembershipRoleForm(DsfrModelForm):
    class Meta:
        model = Membership
        fields = ["role"]
