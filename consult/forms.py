"""Forms of the public consultation pages. Validation messages in French; the bound form is re-rendered on
any refusal so nothing typed is lost."""

import time
import uuid

from django import forms
from django.core import signing
from django.utils.functional import cached_property

from accounts.models import Organisation
from consult import settings as consult_settings
from consult.models import Contribution, Flag
from consult.services import MAX_LENGTH
from core.forms import DsfrForm, HoneypotMixin

FILL_SALT = "consult.form-rendered-at"


def new_form_token() -> str:
    return signing.dumps(time.time(), salt=FILL_SALT)


class ConsultForm(DsfrForm):
    pass


class AntiBotMixin(HoneypotMixin):
    """Honeypot + minimum fill time, checked from a signed render timestamp."""

    rendered_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_rendered_at(self):
        token = self.cleaned_data.get("rendered_at") or ""
        try:
            rendered = float(signing.loads(token, salt=FILL_SALT, max_age=24 * 3600))
        except (signing.BadSignature, ValueError, TypeError):
            raise forms.ValidationError(
                "Le formulaire a expiré : vérifiez votre texte (il est conservé) et envoyez-le à nouveau."
            ) from None
        if time.time() - rendered < consult_settings.min_fill_seconds():
            raise forms.ValidationError("Envoi trop rapide : relisez votre texte et envoyez-le à nouveau.")
        return token


class ContributionForm(AntiBotMixin, ConsultForm):
    body = forms.CharField(
        label="Votre contribution",
        max_length=MAX_LENGTH,
        help_text=f"Texte simple, {MAX_LENGTH} caractères au maximum. Séparez les paragraphes par une ligne vide ; "
        "les adresses web deviennent des liens. N'indiquez pas de données de santé vous concernant.",
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_LENGTH}),
        error_messages={
            "required": "Écrivez votre contribution avant de l'envoyer.",
            "max_length": f"Votre contribution dépasse {MAX_LENGTH} caractères : raccourcissez-la.",
        },
    )
    stance = forms.ChoiceField(
        label="Votre position sur cette partie du texte",
        choices=Contribution.STANCE_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    interests = forms.CharField(
        label="Déclaration de liens d'intérêts",
        required=False,
        max_length=1000,
        help_text="Par exemple : salarié·e d'un éditeur de logiciels de santé, membre d'une association…",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    no_interests = forms.BooleanField(label="Je n'ai aucun lien d'intérêts", required=False)
    organisation = forms.ModelChoiceField(
        label="Contribuer au nom de",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="En mon nom propre",
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, user=None, is_reply=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_reply = is_reply
        # The verified associations this person may speak for. Lazy: a form posted without one, the usual case,
        # never reads them (the field is optional); the page reads them once, to draw the field or not.
        if user is not None and user.is_authenticated:
            self.fields["organisation"].queryset = (
                Organisation.objects.verified().filter(memberships__user=user).distinct().order_by("name")
            )
            if self.is_bound and self.data.get("organisation") and not self.speaks_for:
                del self.fields["organisation"]  # not offered to this person: a value sent anyway is ignored
        else:
            del self.fields["organisation"]
        if is_reply:
            del self.fields["stance"]
            self.fields["body"].label = "Votre réponse"
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
            self.initial.setdefault("rendered_at", new_form_token())

    @cached_property
    def speaks_for(self) -> list:
        """The associations offered in "Contribuer au nom de" (none: the field is not drawn)."""
        field = self.fields.get("organisation")
        if field is None:
            return []
        organisations = list(field.queryset)
        field.choices = [("", "En mon nom propre")] + [(o.pk, o.name) for o in organisations]  # no second query
        return organisations

    def clean(self):
        data = super().clean()
        if not self.is_reply:
            if not data.get("stance"):
                self.add_error("stance", "Indiquez votre position : pour, contre ou mitigé.")
            if not (data.get("interests") or "").strip() and not data.get("no_interests"):
                self.add_error("interests", "Déclarez vos liens d'intérêts, ou cochez « aucun lien d'intérêts ».")
        if (data.get("interests") or "").strip() and data.get("no_interests"):
            self.add_error("no_interests", "Vous avez déclaré des liens : décochez « aucun lien d'intérêts ».")
        return data


class EditForm(ConsultForm):
    body = forms.CharField(
        label="Votre contribution",
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": MAX_LENGTH}),
    )


class FlagForm(ConsultForm):
    reason = forms.ChoiceField(label="Motif du signalement", choices=Flag.REASON_CHOICES, widget=forms.RadioSelect)
    text = forms.CharField(
        label="Précisions (obligatoires pour « autre »)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ModerationForm(forms.Form):
    ACTION_CHOICES = [("publish", "Publier"), ("hide", "Masquer")]
    action = forms.ChoiceField(label="Action", choices=ACTION_CHOICES)
    reason = forms.CharField(label="Motif public (obligatoire pour masquer)", required=False, max_length=255)
    ids = forms.ModelMultipleChoiceField(
        queryset=Contribution.objects.all(),
        required=True,
        error_messages={"required": "Sélectionnez au moins une contribution."},
    )


class BlockForm(forms.Form):
    reason = forms.CharField(label="Motif de la suspension", max_length=255)
