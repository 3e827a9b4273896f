"""Forms of the application steps and of the staff actions (DSFR rendering)."""

from decimal import Decimal

from django import forms

from accounts.validators import normalize_identifier, validate_rna, validate_siret
from core.forms import DsfrForm, DsfrModelForm
from projects.models import PARTNER_KIND_CHOICES, Application, Attachment, BudgetLine

A = Application


class IdentityForm(DsfrModelForm):
    class Meta:
        model = Application
        fields = [
            "legal_name",
            "rna",
            "siret",
            "address",
            "postcode",
            "city",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        widgets = {
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ["legal_name", "postcode", "city", "contact_name", "contact_email"]:
            self.fields[name].required = True
        self.fields["rna"].help_text = "W suivi de 9 chiffres. RNA ou SIRET obligatoire."
        self.fields["siret"].help_text = "14 chiffres."

    def clean_rna(self):
        value = normalize_identifier(self.cleaned_data.get("rna", ""))
        if value:
            validate_rna(value)
        return value

    def clean_siret(self):
        value = normalize_identifier(self.cleaned_data.get("siret", ""))
        if value:
            validate_siret(value)
        return value

    def clean(self):
        data = super().clean()
        if not (data.get("rna") or data.get("siret")) and "rna" not in self.errors and "siret" not in self.errors:
            self.add_error("rna", "Indiquez le numéro RNA ou le numéro SIRET de l'organisation.")
        return data


class ProjectForm(DsfrModelForm):
    class Meta:
        model = Application
        fields = [
            "title",
            "summary",
            "description",
            "target_public",
            "region",
            "departments",
            "duration_months",
            "expected_outcomes",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "target_public": forms.Textarea(attrs={"rows": 3}),
            "expected_outcomes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "summary": "1 000 caractères au plus. Ce résumé est publié si le projet est retenu.",
            "departments": "Numéros séparés par des virgules, par exemple : 31, 81, 82.",
            "region": "Choisissez « National » pour un projet sans ancrage régional.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = name != "departments"
        self.fields["duration_months"].min_value = 1
        self.fields["duration_months"].widget.attrs.update({"min": 1, "max": 60})

    def clean_duration_months(self):
        value = self.cleaned_data.get("duration_months")
        if value is not None and not 1 <= value <= 60:
            raise forms.ValidationError("La durée est comprise entre 1 et 60 mois.")
        return value


class BudgetForm(DsfrModelForm):
    class Meta:
        model = Application
        fields = ["requested_amount", "co_funding"]

    def __init__(self, *args, call=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_amount"].min_value = Decimal("0")
        if call is not None and call.max_grant:
            self.fields["requested_amount"].help_text = f"Au plus {call.max_grant:,.0f} € pour cet appel.".replace(
                ",", "\u202f"
            )
        self.fields["co_funding"].help_text = "Autres financements du projet (fonds propres, collectivités…)."
        for field in self.fields.values():
            field.widget.attrs.update({"inputmode": "decimal", "data-budget": field.label})


class BudgetLineForm(DsfrForm):
    category = forms.ChoiceField(label="Catégorie", choices=[("", "—"), *BudgetLine.CATEGORY_CHOICES], required=False)
    label = forms.CharField(label="Intitulé de la dépense", max_length=200, required=False)
    amount = forms.DecimalField(
        label="Montant (€)",
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal", "data-budget-line": "1"}),
    )

    def clean(self):
        data = super().clean()
        filled = [data.get("category"), data.get("label"), data.get("amount")]
        if any(v not in (None, "") for v in filled) and not all(v not in (None, "") for v in filled):
            raise forms.ValidationError(
                "Complétez la catégorie, l'intitulé et le montant de cette ligne, ou videz-la entièrement."
            )
        return data

    @property
    def is_blank(self):
        return not any(self.cleaned_data.get(k) not in (None, "") for k in ("category", "label", "amount"))


BudgetLineFormSet = forms.formset_factory(BudgetLineForm, extra=3, max_num=50, validate_max=True)


class PartnerForm(DsfrForm):
    name = forms.CharField(label="Nom du partenaire", max_length=200, required=False)
    kind = forms.ChoiceField(label="Type de partenaire", choices=[("", "—"), *PARTNER_KIND_CHOICES], required=False)
    role = forms.CharField(label="Rôle dans le projet", max_length=300, required=False)
    siret = forms.CharField(label="SIRET ou RNA (facultatif)", max_length=14, required=False)

    def clean(self):
        data = super().clean()
        if (data.get("name") or data.get("kind") or data.get("role")) and not (
            data.get("name") and data.get("kind") and data.get("role")
        ):
            raise forms.ValidationError("Indiquez le nom, le type et le rôle de ce partenaire, ou videz la ligne.")
        return data

    @property
    def is_blank(self):
        return not (self.cleaned_data.get("name") or self.cleaned_data.get("kind") or self.cleaned_data.get("role"))


PartnerFormSet = forms.formset_factory(PartnerForm, extra=2, max_num=30, validate_max=True)


class AttachmentForm(DsfrForm):
    kind = forms.ChoiceField(label="Type de document", choices=Attachment.KIND_CHOICES)
    file = forms.FileField(
        label="Fichier",
        help_text="PDF, ODT, DOCX, XLSX, ODS, PNG ou JPEG ; 10 Mo au plus par fichier, 20 fichiers au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.odt,.docx,.xlsx,.ods,.png,.jpg,.jpeg"}),
    )


class DeclarationForm(DsfrForm):
    sworn_declaration = forms.BooleanField(
        label="Je certifie sur l'honneur l'exactitude des informations fournies et que l'organisation est à jour "
        "de ses obligations sociales et fiscales.",
        required=True,
        error_messages={"required": "Cochez la déclaration sur l'honneur pour déposer la candidature."},
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class MessageForm(DsfrForm):
    body = forms.CharField(label="Votre message", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    files = MultipleFileField(
        label="Pièces jointes (facultatif)",
        required=False,
        help_text="PDF, ODT, DOCX, XLSX, ODS, PNG ou JPEG ; 10 Mo au plus par fichier.",
    )


class ReasonForm(DsfrForm):
    reason = forms.CharField(label="Motif (communiqué à l'organisation)", widget=forms.Textarea(attrs={"rows": 3}))


class CorrectionsForm(DsfrForm):
    sections = forms.MultipleChoiceField(
        label="Parties du dossier à ouvrir aux corrections",
        choices=A.SECTION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    message = forms.CharField(label="Compléments attendus", widget=forms.Textarea(attrs={"rows": 3}))


class AcceptForm(DsfrForm):
    granted_amount = forms.DecimalField(label="Montant accordé (€)", max_digits=12, decimal_places=2, min_value=0)
    motivation = forms.CharField(label="Motivation de la décision", widget=forms.Textarea(attrs={"rows": 3}))


class RejectForm(DsfrForm):
    motivation = forms.CharField(label="Motivation de la décision", widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(DsfrForm):
    reviewer = forms.ModelChoiceField(label="Évaluateur·rice", queryset=None)

    def __init__(self, *args, reviewers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers


class ConflictForm(DsfrForm):
    linked_to_applicant = forms.BooleanField(
        label="J'ai un lien d'intérêts avec l'organisation candidate (adhésion, emploi, mandat, lien familial, "
        "relation financière).",
        required=False,
    )
    partners = forms.MultipleChoiceField(
        label="J'ai un lien d'intérêts avec les partenaires suivants",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label="Précisions (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].choices = [(str(p.pk), p.name) for p in partners]
        if not partners:
            del self.fields["partners"]


class ScoreForm(DsfrForm):
    """One integer field per criterion, plus a private comment."""

    private_comment = forms.CharField(
        label="Commentaire privé (visible des seul·es agent·es du ministère)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, criteria=(), scale=5, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for criterion in criteria:
            fields[f"criterion_{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.label} (pondération ×{criterion.weight})",
                min_value=0,
                max_value=scale,
                required=False,
                help_text=f"Note de 0 à {scale}. {criterion.description}".strip(),
                widget=forms.NumberInput(attrs={"min": 0, "max": scale}),
            )
        fields.update(self.fields)
        self.fields = fields
        self.criteria = list(criteria)

    def score_values(self):
        return {c.pk: self.cleaned_data.get(f"criterion_{c.pk}") for c in self.criteria}
