"""Open data: one consultation's published contributions as CSV, JSON or XLSX, streamed.

Public export: published contributions only (pending, hidden and withdrawn never appear), authors replaced by
a pseudonym that is stable within a consultation and unlinkable across consultations (HMAC of consultation id
+ author id with the site secret). Staff export (moderators, editors) adds moderation fields and covers every
status. Field list: docs/open-data-consultations.md.
"""

import csv
import hashlib
import hmac
import json
import tempfile

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseForbidden, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from consult import rules
from consult.models import ConsultationPage, Contribution

CHUNK = 2000

PUBLIC_FIELDS = [
    "id", "section", "parent_id", "root_id", "depth", "created_at", "edited_at", "author", "organisation",
    "organisation_verified", "stance", "body", "interests", "no_interests", "votes_up", "votes_down",
    "replies_count", "campaign_id",
]
STAFF_FIELDS = PUBLIC_FIELDS + [
    "status", "hidden_reason", "flags_count", "moderated_at", "receipt_number", "fingerprint",
]

# values_list columns read from the database, in this order
_COLUMNS = [
    "id", "section__anchor", "parent_id", "root_id", "depth", "created_at", "edited_at", "author_id",
    "organisation__name", "organisation__verified_at", "stance", "body", "interests", "no_interests", "votes_up",
    "votes_down", "replies_count", "campaign_id",
]
_STAFF_COLUMNS = _COLUMNS + ["status", "hidden_reason", "flags_count", "moderated_at", "receipt_number", "fingerprint"]


class Pseudonymiser:
    """author id → 'P-<12 hex>' stable per consultation (cached: one HMAC per distinct author)."""

    def __init__(self, consultation_id):
        self.key = hmac.new(settings.SECRET_KEY.encode(), f"consult-export:{consultation_id}".encode(),
                            hashlib.sha256).digest()
        self.cache = {}

    def __call__(self, author_id):
        value = self.cache.get(author_id)
        if value is None:
            value = "P-" + hmac.new(self.key, str(author_id).encode(), hashlib.sha256).hexdigest()[:12]
            self.cache[author_id] = value
        return value


def export_rows(consultation_id, staff=False):
    """Yield one list per contribution, in field order; database-side values only (no model instances)."""
    qs = Contribution.objects.filter(consultation_id=consultation_id)
    if not staff:
        qs = qs.public()
    columns = _STAFF_COLUMNS if staff else _COLUMNS
    pseudo = Pseudonymiser(consultation_id)
    for row in qs.order_by("id").values_list(*columns).iterator(chunk_size=CHUNK):
        row = list(row)
        row[3] = row[3] or row[0]  # root of a thread is itself
        row[5] = row[5].isoformat() if row[5] else ""
        row[6] = row[6].isoformat() if row[6] else ""
        row[7] = pseudo(row[7])
        row[8] = row[8] or ""
        row[9] = row[9] is not None
        if staff:
            row[21] = row[21].isoformat() if row[21] else ""
        yield row


class _Echo:
    def write(self, value):
        return value


def csv_stream(rows, fields):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(fields)  # BOM: spreadsheet software reads UTF-8 correctly
    buffer = []
    for row in rows:
        buffer.append(writer.writerow(row))
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def json_stream(rows, fields, meta):
    yield '{"meta": ' + json.dumps(meta, ensure_ascii=False) + ', "contributions": ['
    first = True
    for row in rows:
        item = json.dumps(dict(zip(fields, row)), ensure_ascii=False)
        yield item if first else "," + item
        first = False
    yield "]}"


def xlsx_file(rows, fields):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("contributions")
    sheet.append(fields)
    for row in rows:
        sheet.append(row)
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle


def _response(consultation, fmt, staff):
    fields = STAFF_FIELDS if staff else PUBLIC_FIELDS
    rows = export_rows(consultation.pk, staff=staff)
    stamp = timezone.localdate().isoformat()
    name = f"consultation-{consultation.pk}-contributions{'-moderation' if staff else ''}-{stamp}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(rows, fields), content_type="text/csv; charset=utf-8")
    elif fmt == "json":
        meta = {"consultation_id": consultation.pk, "title": consultation.title, "generated_at": timezone.now().isoformat(),
                "licence": "Licence Ouverte / Open Licence 2.0", "fields": fields}
        response = StreamingHttpResponse(json_stream(rows, fields, meta), content_type="application/json")
    elif fmt == "xlsx":
        response = FileResponse(
            xlsx_file(rows, fields),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _consultation(request, consultation_id):
    consultation = ConsultationPage.objects.filter(pk=consultation_id).first()
    if consultation is None or not rules.can_view_consultation(request.user, consultation):
        raise Http404
    return consultation


@require_GET
def public_export(request, consultation_id, fmt):
    return _response(_consultation(request, consultation_id), fmt, staff=False)


@require_GET
def staff_export(request, consultation_id, fmt):
    consultation = _consultation(request, consultation_id)
    if not rules.can_export_staff(request.user, consultation):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return HttpResponseForbidden("Export réservé à l'équipe de modération et d'édition.")
    return _response(consultation, fmt, staff=True)
