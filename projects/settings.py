"""Knobs of the projects app, overridable from Django settings with the PROJECTS_ prefix."""

from django.conf import settings

# Attachments: extension -> accepted MIME types detected from the content (filetype).
ALLOWED_ATTACHMENT_TYPES = getattr(
    settings,
    "PROJECTS_ALLOWED_ATTACHMENT_TYPES",
    {
        "pdf": {"application/pdf"},
        "odt": {"application/vnd.oasis.opendocument.text"},
        "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        "ods": {"application/vnd.oasis.opendocument.spreadsheet"},
        "png": {"image/png"},
        "jpg": {"image/jpeg"},
        "jpeg": {"image/jpeg"},
    },
)
MAX_ATTACHMENT_SIZE = getattr(settings, "PROJECTS_MAX_ATTACHMENT_SIZE", 10 * 1024 * 1024)
MAX_ATTACHMENTS = getattr(settings, "PROJECTS_MAX_ATTACHMENTS", 20)
# Private files live outside MEDIA_ROOT so that no static/media route can ever serve them.
PRIVATE_ROOT = getattr(settings, "PROJECTS_PRIVATE_ROOT", str(settings.BASE_DIR / "var" / "private" / "projects"))
REFERENCE_PREFIX = getattr(settings, "PROJECTS_REFERENCE_PREFIX", "AAP")
AUTOSAVE_INTERVAL_MS = getattr(settings, "PROJECTS_AUTOSAVE_INTERVAL_MS", 5000)
