"""RSS and Atom feeds: live consultations, and the published contributions of one consultation."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed

from consult.models import ConsultationPage, Contribution
from consult.serializers import author_label


class ConsultationsRssFeed(Feed):
    title = "Agora Santé — consultations publiques"
    description = "Les consultations publiques du ministère chargé de la santé, ouvertes, à venir et terminées."

    def link(self):
        index = ConsultationPage.objects.live().public().first()
        return index.get_parent().url if index else "/"

    def items(self):
        return ConsultationPage.objects.live().public().order_by("-opens_at")[:50]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return f"Consultation du {item.opens_at:%d/%m/%Y} au {item.closes_at:%d/%m/%Y}. {item.summary}"

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.opens_at


class ConsultationsAtomFeed(ConsultationsRssFeed):
    feed_type = Atom1Feed
    subtitle = ConsultationsRssFeed.description


class ContributionsRssFeed(Feed):
    """Only published contributions: pending, hidden and withdrawn ones never appear."""

    def get_object(self, request, consultation_id):
        consultation = ConsultationPage.objects.live().public().filter(pk=consultation_id).first()
        if consultation is None:
            raise Http404
        return consultation

    def title(self, obj):
        return f"Contributions — {obj.title}"

    def description(self, obj):
        return f"Les dernières contributions publiées à la consultation « {obj.title} »."

    def link(self, obj):
        return obj.url

    def items(self, obj):
        return (
            Contribution.objects.public()
            .filter(consultation=obj)
            .select_related("author", "organisation", "section")
            .order_by("-created_at")[:50]
        )

    def item_title(self, item):
        return f"{author_label(item)[0]} — {item.section.title}"

    def item_description(self, item):
        return item.body_html or item.body

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at


class ContributionsAtomFeed(ContributionsRssFeed):
    feed_type = Atom1Feed
