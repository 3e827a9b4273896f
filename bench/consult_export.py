"""consult_export: stream 1,000,000 published contributions of one consultation to CSV (the public export).

Method: dedicated database agora_bench_consult_export (rows inserted once with PostgreSQL COPY, reused on later
runs); the public CSV generator the view streams (consult.exports.public_csv: on PostgreSQL a
`COPY (SELECT …) TO STDOUT WITH (FORMAT csv)` read in 256 kB chunks; elsewhere values_list + iterator(chunk_size=2000)
through csv.writer) is consumed in-process exactly as the StreamingHttpResponse would, bytes counted and
discarded. Rows are counted by line feeds (the benchmark texts contain none). Peak RSS growth = VmHWM after the export − VmRSS before it, read from /proc/self/status (the peak is
reset through /proc/self/clear_refs just before the export).
"""

import os
import time

from bench.common import emit, log, start_services, use_database

ROWS = int(os.environ.get("CONSULT_EXPORT_ROWS", 1_000_000))


def proc_status_kb(field):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


def setup():
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from consult.demo import index_page
    from consult.models import ConsultationPage, Contribution, Section
    from consult.text import render_body
    from core import demo as core_demo

    home = core_demo.home_page()
    index = index_page(home)
    page = ConsultationPage.objects.filter(slug="bench-export").first()
    if page is None:
        now = timezone.now()
        page = ConsultationPage(
            title="Consultation de mesure (export)",
            slug="bench-export",
            summary="Mesure.",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=3650),
        )
        page.sections.add(Section(title="Section", anchor="section", body="<p>Texte.</p>"))
        index.add_child(instance=page)
        page.save_revision().publish()
    section = page.sections.get()
    present = Contribution.objects.filter(consultation=page).count()
    if present >= ROWS:
        return page
    authors = []
    for i in range(1000):
        user, _ = User.objects.get_or_create(
            email=f"export{i}@example.org", defaults={"username": f"export{i}", "display_name": f"P{i}"}
        )
        authors.append(user.pk)
    body = (
        "Je pense que l'accès aux données de santé doit rester simple, gratuit et sécurisé ; "
        "voir https://example.org/rapport pour le détail."
    )
    html = render_body(body)
    now = timezone.now()
    log(f"consult_export: inserting {ROWS - present} rows with COPY…")
    started = time.perf_counter()
    columns = [
        "consultation_id",
        "section_id",
        "depth",
        "author_id",
        "body",
        "body_html",
        "stance",
        "interests",
        "no_interests",
        "status",
        "hidden_reason",
        "idempotency_key",
        "created_at",
        "votes_up",
        "votes_down",
        "flags_count",
        "replies_count",
        "fingerprint",
    ]
    stances = ["pour", "contre", "mitige"]
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor() as pg, pg.copy(f"COPY consult_contribution ({', '.join(columns)}) FROM STDIN") as copy:
            for i in range(present, ROWS):
                copy.write_row(
                    (
                        page.pk,
                        section.pk,
                        0,
                        authors[i % len(authors)],
                        body,
                        html,
                        stances[i % 3],
                        "",
                        True,
                        "published",
                        "",
                        "",
                        now,
                        i % 13,
                        i % 7,
                        0,
                        0,
                        "",
                    )
                )
        cursor.execute(
            "UPDATE consult_contribution SET root_id = id WHERE consultation_id = %s AND root_id IS NULL", [page.pk]
        )
        cursor.execute("ANALYZE consult_contribution")
    log(f"consult_export: inserted in {time.perf_counter() - started:.1f} s")
    return page


def main():
    start_services()
    use_database("agora_bench_consult_export")
    from consult.exports import public_csv

    page = setup()
    rss_before = proc_status_kb("VmRSS")
    reset_peak()
    started = time.perf_counter()
    rows = -1  # the header line
    size = 0
    for chunk in public_csv(page.pk):
        size += len(chunk)
        rows += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
    elapsed = time.perf_counter() - started
    peak = proc_status_kb("VmHWM")
    log(f"consult_export: {rows} rows, {size / 1e6:.0f} MB of CSV in {elapsed:.1f} s")
    emit(
        bench="consult_export",
        rows=rows,
        rows_per_s=round(rows / elapsed),
        peak_rss_growth_mb=round(max(0, peak - rss_before) / 1024, 1),
    )


if __name__ == "__main__":
    main()
