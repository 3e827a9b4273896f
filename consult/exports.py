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
from datetime import UTC

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseForbidden, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from consult import rules
from consult.models import ConsultationPage, Contribution
from core.csvsafe import safe_row, safe_sql

CHUNK = 2000

PUBLIC_FIELDS = [
    "id",
    "section",
    "parent_id",
    "root_id",
    "depth",
    "created_at",
    "edited_at",
    "author",
    "organisation",
    "organisation_verified",
    "stance",
    "body",
    "interests",
    "no_interests",
    "votes_up",
    "votes_down",
    "replies_count",
    "campaign_id",
]
STAFF_FIELDS = PUBLIC_FIELDS + [
    "status",
    "hidden_reason",
    "flags_count",
    "moderated_at",
    "receipt_number",
    "fingerprint",
]

# values_list columns read from the database, in this order
_COLUMNS = [
    "id",
    "section__anchor",
    "parent_id",
    "root_id",
    "depth",
    "created_at",
    "edited_at",
    "author_id",
    "organisation__name",
    "organisation__verified_at",
    "stance",
    "body",
    "interests",
    "no_interests",
    "votes_up",
    "votes_down",
    "replies_count",
    "campaign_id",
]
_STAFF_COLUMNS = _COLUMNS + ["status", "hidden_reason", "flags_count", "moderated_at", "receipt_number", "fingerprint"]


def pseudonym_key(consultation_id) -> str:
    """Per-consultation secret (derived from the site secret, never stored or exported)."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"consult-export:{consultation_id}".encode(), hashlib.sha256
    ).hexdigest()


class Pseudonymiser:
    """author id → 'P-<12 hex>' = md5(<per-consultation secret>:<author id>), stable within a consultation,
    unlinkable across consultations. The same formula runs inside PostgreSQL for the fast CSV path."""

    def __init__(self, consultation_id):
        self.key = pseudonym_key(consultation_id)
        self.cache = {}

    def __call__(self, author_id):
        value = self.cache.get(author_id)
        if value is None:
            value = "P-" + hashlib.md5(f"{self.key}:{author_id}".encode()).hexdigest()[:12]
            self.cache[author_id] = value
        return value


def iso(value):
    """UTC ISO 8601 with microseconds, identical to the PostgreSQL path's to_char format."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00") if value else ""


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
        row[5] = iso(row[5])
        row[6] = iso(row[6])
        row[7] = pseudo(row[7])
        row[8] = row[8] or ""
        row[9] = row[9] is not None
        if staff:
            row[21] = iso(row[21])
        yield row


class _Echo:
    def write(self, value):
        return value


def csv_stream(rows, fields):
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield "\ufeff" + writer.writerow(fields)  # BOM: spreadsheet software reads UTF-8 correctly
    buffer = []
    for row in rows:
        buffer.append(writer.writerow(safe_row(row)))
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


_PG_PUBLIC_CSV = """
COPY (
  SELECT c.id, s.anchor, c.parent_id, COALESCE(c.root_id, c.id), c.depth,
         to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
         COALESCE(to_char(c.edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'), ''),
         'P-' || left(md5({key} || ':' || c.author_id::text), 12),
         COALESCE({safe_org}, ''),
         CASE WHEN o.verified_at IS NOT NULL THEN 'True' ELSE 'False' END,
         c.stance, {safe_body}, {safe_interests},
         CASE WHEN c.no_interests THEN 'True' ELSE 'False' END,
         c.votes_up, c.votes_down, c.replies_count, c.campaign_id
  FROM consult_contribution c
  JOIN consult_section s ON s.id = c.section_id
  LEFT JOIN accounts_organisation o ON o.id = c.organisation_id
  WHERE c.consultation_id = {consultation} AND c.status = 'published'
  ORDER BY c.id
) TO STDOUT WITH (FORMAT csv)
"""


def pg_public_csv_stream(consultation_id):
    """The public CSV produced by PostgreSQL itself (COPY … TO STDOUT): same columns, same values as the
    Python path (csv_stream over export_rows), a few times faster. Yields bytes."""
    from django.db import connection
    from psycopg import sql

    query = sql.SQL(_PG_PUBLIC_CSV).format(
        key=sql.Literal(pseudonym_key(consultation_id)),
        consultation=sql.Literal(int(consultation_id)),
        safe_org=sql.SQL(safe_sql("o.name")),
        safe_body=sql.SQL(safe_sql("c.body")),
        safe_interests=sql.SQL(safe_sql("c.interests")),
    )
    header = "\ufeff" + ",".join(PUBLIC_FIELDS) + "\n"
    yield header.encode()
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(query) as copy:
        buffer, size = [], 0
        for data in copy:
            buffer.append(bytes(data))
            size += len(data)
            if size >= 256 * 1024:
                yield b"".join(buffer)
                buffer, size = [], 0
        if buffer:
            yield b"".join(buffer)


def public_csv(consultation_id):
    from django.db import connection

    if connection.vendor == "postgresql":
        return pg_public_csv_stream(consultation_id)
    return csv_stream(export_rows(consultation_id), PUBLIC_FIELDS)


def json_stream(rows, fields, meta):
    yield '{"meta": ' + json.dumps(meta, ensure_ascii=False) + ', "contributions": ['
    first = True
    for row in rows:
        item = json.dumps(dict(zip(fields, row, strict=True)), ensure_ascii=False)
        yield item if first else "," + item
        first = False
    yield "]}"


def xlsx_file(rows, fields):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("contributions")
    sheet.append(fields)
    for row in rows:
        sheet.append(safe_row(row))
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle


def _response(consultation, fmt, staff):
    fields = STAFF_FIELDS if staff else PUBLIC_FIELDS
    stamp = timezone.localdate().isoformat()
    name = f"consultation-{consultation.pk}-contributions{'-moderation' if staff else ''}-{stamp}"
    if fmt == "csv":
        content = csv_stream(export_rows(consultation.pk, staff=True), fields) if staff else public_csv(consultation.pk)
        response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    elif fmt == "json":
        meta = {
            "consultation_id": consultation.pk,
            "title": consultation.title,
            "generated_at": timezone.now().isoformat(),
            "licence": "Licence Ouverte / Open Licence 2.0",
            "fields": fields,
        }
        response = StreamingHttpResponse(
            json_stream(export_rows(consultation.pk, staff=staff), fields, meta), content_type="application/json"
        )
    elif fmt == "xlsx":
        response = FileResponse(
            xlsx_file(export_rows(consultation.pk, staff=staff), fields),
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
    if not rules.passes_view_restrictions(request, consultation):
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
