"""Reads of the directory. `published()` is the one visibility rule; `apply_filters()` the one filter logic
shared by the page, the map JSON, the list fragment and every export, so they always return the same set."""

from django.db.models import Count, Q
from wagtail.models import PageManager
from wagtail.query import PageQuerySet

# The query-string keys of the directory filters (shareable URLs).
FILTER_KEYS = ("q", "region", "department", "theme", "public", "service", "structure")


class LivingLabQuerySet(PageQuerySet):
    def published(self):
        """Labs the public may see: live and not behind a view restriction. Drafts, pages in moderation
        and unpublished labs are excluded everywhere (page, map, list, exports, statistics, search)."""
        return self.live().public()

    def apply_filters(self, filters: dict):
        """Narrow by the cleaned directory filters (see forms.LabFilterForm); empty values are ignored."""
        qs = self
        if filters.get("q"):
            text = filters["q"]
            qs = qs.filter(Q(title__icontains=text) | Q(description__icontains=text) | Q(commune__icontains=text))
        if filters.get("region"):
            qs = qs.filter(region=filters["region"])
        if filters.get("department"):
            qs = qs.filter(department=filters["department"])
        if filters.get("theme"):
            qs = qs.filter(tagged_items__tag__slug=filters["theme"])
        if filters.get("public"):
            qs = qs.filter(publics__contains=f",{filters['public']},")
        if filters.get("service"):
            qs = qs.filter(services__contains=f",{filters['service']},")
        if filters.get("structure"):
            qs = qs.filter(structure_type=filters["structure"])
        return qs

    def similar_to(self, lab, limit=4):
        """Other labs sharing themes with `lab`, most shared themes first."""
        tag_ids = list(lab.tagged_items.values_list("tag_id", flat=True))
        if not tag_ids:
            return self.none()
        return (
            self.exclude(pk=lab.pk)
            .filter(tagged_items__tag_id__in=tag_ids)
            .annotate(shared_themes=Count("tagged_items", distinct=True))
            .order_by("-shared_themes", "title")[:limit]
        )

    def overdue_for_verification(self, today=None):
        """Labs whose information was last confirmed before the grace period ended."""
        from livinglabs.settings import overdue_cutoff

        return self.filter(last_verified__lt=overdue_cutoff(today))

    def due_for_revalidation(self, today=None):
        """Labs to remind: verified more than REVALIDATION_MONTHS ago and not yet reminded since."""
        from livinglabs.settings import revalidation_cutoff

        return self.filter(last_verified__lte=revalidation_cutoff(today)).filter(Q(revalidation_sent_at__isnull=True))


LivingLabManager = PageManager.from_queryset(LivingLabQuerySet)
