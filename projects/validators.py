"""Boundary checks for uploaded files: extension whitelist, real type from the content, size."""

import os

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from projects import settings as app_settings


def detect_type(uploaded) -> str | None:
    """MIME type read from the file's first bytes (magic numbers), whatever its name says."""
    position = uploaded.tell() if hasattr(uploaded, "tell") else 0
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(position)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def validate_attachment(uploaded) -> str:
    """Refuse anything that is not a whitelisted type by both name and content; return the detected MIME type."""
    extension = os.path.splitext(uploaded.name or "")[1].lower().lstrip(".")
    allowed = app_settings.ALLOWED_ATTACHMENT_TYPES
    if extension not in allowed:
        raise ValidationError(
            "« %(name)s » : format non accepté. Formats acceptés : PDF, ODT, DOCX, XLSX, ODS, PNG, JPEG.",
            params={"name": uploaded.name},
        )
    if uploaded.size > app_settings.MAX_ATTACHMENT_SIZE:
        raise ValidationError(
            "« %(name)s » dépasse la taille maximale de %(max)s.",
            params={"name": uploaded.name, "max": filesizeformat(app_settings.MAX_ATTACHMENT_SIZE)},
        )
    if uploaded.size == 0:
        raise ValidationError("« %(name)s » est vide.", params={"name": uploaded.name})
    mime = detect_type(uploaded)
    if mime not in allowed[extension]:
        raise ValidationError(
            "Le contenu de « %(name)s » ne correspond pas à son extension .%(ext)s : le fichier n'a pas été "
            "accepté. Enregistrez-le de nouveau au bon format.",
            params={"name": uploaded.name, "ext": extension},
        )
    return mime
