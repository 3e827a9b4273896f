"""What is searchable, and who says it is public: one `Source` per document type.

Visibility is never decided here from scratch: each source starts from the owning app's own public queryset
(`Contribution.objects.public()`, `Application.objects.laureates()`, `LivingLabPage.objects.published()`,
`Page.objects.live().public()`). Where an app's queryset does not cover a rule search needs, the extra filter is
written once below and flagged "NOTE(owner)" so the owning app can take it over:

- contributions: `Contribution.objects.public()` does not look at the consultation; search also requires the
  consultation page to be live and public (`_public_consultation_ids`).
- laureates: `Application.objects.laureates()` checks `call__live`; search also requires the call to be public
  (no view restriction), and only `projects.views.public_record()` fields are indexed.
- sections: no queryset in consult; a section is public when its consultation page is live and public.

`build(doc_type, pk)` returns the document dict, or None when the object is missing or not public — which is
what makes "hide → removed from the index" work: the indexer deletes whatever does not build.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _


def _text(*parts) -> str:
    return "\n".join(strip_tags(str(p)).strip() for p in parts if p)


def _stream_text(value) -> str:
    if not value:
        return ""
    try:
        return " ".join(str(s) for s in value.stream_block.get_searchable_content(value))
    except Exception:  # noqa: BLE001 - a block without searchable content must not stop indexing
        return strip_tags(str(value))


def _themes(manager) -> list[dict]:
    return [{"slug": t.slug, "name": t.name} for t in manager.all()]


def _page_url(page) -> str | None:
    try:
        return page.get_url()
    except Exception:  # noqa: BLE001
        return None


@dataclass
class Source:
    doc_type: str
    label: object
    queryset: Callable  # () -> queryset of public objects, ready for build_many
    to_doc: Callable  # (obj, cache) -> dict | None

    def build(self, pk, cache=None):
        obj = self.queryset().filter(pk=pk).first()
        return self.to_doc(obj, cache if cache is not None else {}) if obj is not None else None

    def iter_docs(self, chunk_size=500):
        cache = {}
        for obj in self.queryset().iterator(chunk_size=chunk_size):
            doc = self.to_doc(obj, cache)
            if doc:
                yield doc


def _doc(
    doc_type,
    pk,
    *,
    title,
    body,
    url,
    date,
    themes=(),
    region="",
    opens_at=None,
    closes_at=None,
    consultation_id=None,
    section_id=None,
    stance="",
):
    return {
        "key": f"{doc_type}-{pk}",
        "doc_type": doc_type,
        "object_id": pk,
        "title": (title or "")[:300],
        "body": body or "",
        "url": url,
        "date": date,
        "themes": list(themes),
        "region": region or "",
        "opens_at": opens_at,
        "closes_at": closes_at,
        "consultation_id": consultation_id,
        "section_id": section_id,
        "stance": stance or "",
    }


# --- consult -----------------------------------------------------------------------------------------------


def _public_consultations():
    from consult.models import ConsultationPage

    return ConsultationPage.objects.live().public()


def _public_consultation_ids():
    # NOTE(owner): consult — "public contribution" = Contribution.objects.public() on a live, public consultation.
    return _public_consultations().values("pk")


def _consultation_info(consultation_id, cache):
    key = ("consultation", consultation_id)
    if key not in cache:
        page = _public_consultations().filter(pk=consultation_id).prefetch_related("themes").first()
        cache[key] = (
            None
            if page is None
            else {
                "themes": _themes(page.themes),
                "opens_at": page.opens_at,
                "closes_at": page.closes_at,
                "title": page.title,
            }
        )
    return cache[key]


def consultation_to_doc(page, cache):
    url = _page_url(page)
    if not url:
        return None
    synthesis = page.synthesis if page.synthesis_published_at else ""
    return _doc(
        "consultation",
        page.pk,
        title=page.title,
        body=_text(page.summary, page.easy_read_summary, page.context, synthesis),
        url=url,
        date=page.opens_at,
        themes=_themes(page.themes),
        opens_at=page.opens_at,
        closes_at=page.closes_at,
        consultation_id=page.pk,
    )


def section_queryset():
    from consult.models import Section

    # NOTE(owner): consult has no Section queryset for "public": its consultation must be live and public.
    return Section.objects.filter(page__in=_public_consultation_ids()).select_related("page")


def section_to_doc(section, cache):
    from django.urls import reverse

    info = _consultation_info(section.page_id, cache)
    if info is None:
        return None
    url = reverse("consult:section", args=[section.page_id, section.anchor])
    return _doc(
        "section",
        section.pk,
        title=f"{section.title} — {info['title']}",
        body=_text(section.body),
        url=url,
        date=info["opens_at"],
        themes=info["themes"],
        opens_at=info["opens_at"],
        closes_at=info["closes_at"],
        consultation_id=section.page_id,
        section_id=section.pk,
    )


def contribution_queryset():
    from consult.models import Contribution

    return (
        Contribution.objects.public()
        .filter(consultation__in=_public_consultation_ids())
        .select_related("section")
        .order_by()
    )


def contribution_to_doc(contribution, cache):
    from django.urls import reverse

    info = _consultation_info(contribution.consultation_id, cache)
    if info is None:
        return None
    section = contribution.section
    url = (
        reverse("consult:section", args=[contribution.consultation_id, section.anchor])
        + f"#contribution-{contribution.pk}"
    )
    return _doc(
        "contribution",
        contribution.pk,
        title=f"Contribution sur « {section.title} »",
        body=contribution.body,
        url=url,
        date=contribution.created_at,
        themes=info["themes"],
        opens_at=info["opens_at"],
        closes_at=info["closes_at"],
        consultation_id=contribution.consultation_id,
        section_id=section.pk,
        stance=contribution.stance,
    )


# --- projects ----------------------------------------------------------------------------------------------


def call_queryset():
    from projects.models import ProjectCallPage

    return ProjectCallPage.objects.live().public().prefetch_related("themes")


def call_to_doc(page, cache):
    url = _page_url(page)
    if not url:
        return None
    return _doc(
        "call",
        page.pk,
        title=page.title,
        body=_text(page.intro, page.objectives, page.eligibility),
        url=url,
        date=page.opens_at,
        themes=_themes(page.themes),
        opens_at=page.opens_at,
        closes_at=page.deadline,
    )


def laureate_queryset():
    from projects.models import Application, ProjectCallPage

    # NOTE(owner): projects — laureates() checks call__live only; search also requires the call to be public.
    return (
        Application.objects.laureates()
        .filter(call__in=ProjectCallPage.objects.live().public().values("pk"))
        .select_related("organisation", "call")
        .prefetch_related("call__themes")
        .order_by()
    )


def laureate_to_doc(application, cache):
    from projects.views import public_record

    if not application.reference:
        return None
    record = public_record(application)  # the only fields the public may see
    return _doc(
        "laureate",
        application.pk,
        title=record["titre"] or record["reference"],
        body=_text(record["resume"], record["organisation"], record["appel"]),
        url=application.get_public_url(),
        date=application.decided_at,
        themes=_themes(application.call.themes),
        region=record["region_code"],
    )


# --- living labs -------------------------------------------------------------------------------------------


def livinglab_queryset():
    from livinglabs.models import LivingLabPage

    return LivingLabPage.objects.published().prefetch_related("tags")


def livinglab_to_doc(lab, cache):
    url = _page_url(lab)
    if not url:
        return None
    return _doc(
        "livinglab",
        lab.pk,
        title=lab.title,
        body=_text(lab.description, lab.commune, lab.structure_type_label, lab.equipment),
        url=url,
        date=lab.last_published_at or lab.first_published_at,
        themes=_themes(lab.tags),
        region=lab.region,
    )


# --- core pages --------------------------------------------------------------------------------------------


def content_page_queryset():
    from core.models import ContentPage

    return ContentPage.objects.live().public()


def news_queryset():
    from core.models import NewsPage

    return NewsPage.objects.live().public()


def page_to_doc(page, cache):
    url = _page_url(page)
    if not url:
        return None
    doc_type = "news" if page._meta.model_name == "newspage" else "page"
    date = page.last_published_at
    if doc_type == "news":
        import datetime

        from django.utils import timezone

        date = timezone.make_aware(datetime.datetime.combine(page.date, datetime.time(12)))
    return _doc(
        doc_type, page.pk, title=page.title, body=_text(page.intro, _stream_text(page.body)), url=url, date=date
    )


SOURCES = {
    s.doc_type: s
    for s in [
        Source(
            "consultation",
            _("Consultations"),
            lambda: _public_consultations().prefetch_related("themes"),
            consultation_to_doc,
        ),
        Source("section", _("Sections de consultation"), section_queryset, section_to_doc),
        Source("contribution", _("Contributions"), contribution_queryset, contribution_to_doc),
        Source("call", _("Appels à projets"), call_queryset, call_to_doc),
        Source("laureate", _("Projets lauréats"), laureate_queryset, laureate_to_doc),
        Source("livinglab", _("Living labs"), livinglab_queryset, livinglab_to_doc),
        Source("page", _("Pages institutionnelles"), content_page_queryset, page_to_doc),
        Source("news", _("Actualités"), news_queryset, page_to_doc),
    ]
}
TYPE_LABELS = {key: s.label for key, s in SOURCES.items()}


def build(doc_type: str, pk) -> dict | None:
    return SOURCES[doc_type].build(pk)


def split_key(key: str) -> tuple[str, int]:
    doc_type, _, pk = key.rpartition("-")
    return doc_type, int(pk)


def region_names() -> dict[str, str]:
    from livinglabs import geo
    from projects.models import REGION_NAMES

    return {**geo.regions(), **REGION_NAMES}


# --- which documents a saved/deleted object affects ----------------------------------------------------------


def keys_for(instance) -> list[tuple[str, int]]:
    """(doc_type, pk) pairs to re-check when `instance` changes (its own and its dependants')."""
    from consult.models import ConsultationPage, Contribution, Section
    from core.models import ContentPage, NewsPage
    from livinglabs.models import LivingLabPage
    from projects.models import Application, ProjectCallPage

    if isinstance(instance, Contribution):
        return [("contribution", instance.pk)]
    if isinstance(instance, Section):
        return [("section", instance.pk)]
    if isinstance(instance, Application):
        return [("laureate", instance.pk)]
    if isinstance(instance, ConsultationPage):
        keys = [("consultation", instance.pk)]
        keys += [("section", pk) for pk in Section.objects.filter(page_id=instance.pk).values_list("pk", flat=True)]
        keys += [
            ("contribution", pk)
            for pk in Contribution.objects.filter(consultation_id=instance.pk).values_list("pk", flat=True)
        ]
        return keys
    if isinstance(instance, ProjectCallPage):
        return [("call", instance.pk)] + [
            ("laureate", pk) for pk in Application.objects.filter(call_id=instance.pk).values_list("pk", flat=True)
        ]
    if isinstance(instance, LivingLabPage):
        return [("livinglab", instance.pk)]
    if isinstance(instance, NewsPage):
        return [("news", instance.pk)]
    if isinstance(instance, ContentPage):
        return [("page", instance.pk)]
    return []
