"""DSFR rendering for model forms too (django-dsfr only ships a plain-form base)."""

from django import forms
from dsfr.forms import DsfrBaseForm, DsfrDjangoTemplates
from dsfr.utils import dsfr_input_class_attr

# django-dsfr hands Django its renderer *class*, so every form instance builds a new template engine
# (~10 ms each on this hardware). One shared instance renders the same templates at no cost.
DSFR_RENDERER = DsfrDjangoTemplates()


class DsfrForm(DsfrBaseForm):
    default_renderer = DSFR_RENDERER


class DsfrModelForm(forms.ModelForm):
    template_name = DsfrBaseForm.template_name
    bound_field_class = DsfrBaseForm.bound_field_class
    default_renderer = DSFR_RENDERER

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)


class HoneypotMixin(forms.Form):
    """A field hidden from people (and from screen readers) that bots fill in."""

    website_url = forms.CharField(
        required=False,
        label="Ne pas remplir ce champ",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_website_url(self):
        if self.cleaned_data.get("website_url"):
            raise forms.ValidationError("Envoi refusé.")
        return ""
