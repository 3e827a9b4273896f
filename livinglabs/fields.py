"""A list of codes from a fixed vocabulary stored in one text column as ",a,b,".

The leading and trailing commas make "labs offering service X" a plain `contains=",x,"` lookup that behaves
the same on PostgreSQL and SQLite (JSON containment does not exist on SQLite), and that a covering index can
serve. In Python the value is a list of codes.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models


class ChoiceListField(models.CharField):
    def __init__(self, *args, item_choices=(), **kwargs):
        self.item_choices = list(item_choices)
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["item_choices"] = [(code, str(label)) for code, label in self.item_choices]
        return name, path, args, kwargs

    @staticmethod
    def split(value) -> list[str]:
        if value is None:
            return []
        if isinstance(value, (list, tuple)):
            return [str(v) for v in value if v]
        return [part for part in str(value).split(",") if part]

    def from_db_value(self, value, expression, connection):
        return self.split(value)

    def to_python(self, value):
        return self.split(value)

    def get_prep_value(self, value):
        codes = self.split(value)
        return f",{','.join(codes)}," if codes else ""

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        valid = {code for code, _ in self.item_choices}
        unknown = [code for code in self.split(value) if code not in valid]
        if unknown:
            raise ValidationError("Valeur inconnue : %(codes)s.", params={"codes": ", ".join(unknown)})
        if not self.blank and not self.split(value):
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.MultipleChoiceField,
            "choices": self.item_choices,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "label": self.verbose_name[:1].upper() + self.verbose_name[1:],
            "help_text": self.help_text,
        }
        defaults.update({k: v for k, v in kwargs.items() if k in ("label", "help_text", "required", "widget")})
        form_class = defaults.pop("form_class")
        return form_class(**defaults)
