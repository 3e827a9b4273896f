"""Site-wide Wagtail pages: the home page, institutional content pages and news."""

from django.db import models
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from core import pagecache
from core.blocks import BodyBlock


class HomePage(Page):
    """Front door: each module contributes a teaser section through the `agora_home_sections` hook."""

    intro = models.TextField(_("accroche"), blank=True)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True, verbose_name=_("contenu"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("page d'accueil")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: evaluated only when the template's cached fragment is stale (see home_cache_version).
        context["home_sections"] = SimpleLazyObject(lambda: self.collect_sections(request))
        context["news"] = SimpleLazyObject(lambda: list(NewsPage.objects.live().public().order_by("-date")[:3]))
        context["home_cache_version"] = home_cache_version()
        return context

    @staticmethod
    def collect_sections(request):
        sections = []
        for section in hooks.get_hooks("agora_home_sections"):
            result = section(request)
            if result:
                sections.append(result)
        return sorted(sections, key=lambda s: s.get("order", 100))


def home_cache_version() -> int:
    """Version of the home page's cached teasers; bumped whenever a page is published, unpublished or deleted."""
    return pagecache.version("home")


def bump_home_cache(**kwargs):
    pagecache.bump("home")


class ContentPage(Page):
    """Institutional page (accessibilité, mentions légales, démocratie sanitaire…)."""

    intro = models.TextField(_("chapeau"), blank=True)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True, verbose_name=_("contenu"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("page de contenu")


class NewsIndexPage(Page):
    intro = models.TextField(_("chapeau"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["core.NewsPage"]
    max_count = 1

    class Meta:
        verbose_name = _("liste des actualités")

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.live().public().child_of(self).order_by("-date")
        context["page_obj"] = Paginator(news, 10).get_page(request.GET.get("page"))
        return context


class NewsPage(Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.TextField(_("chapeau"))
    body = StreamField(BodyBlock(), blank=True, use_json_field=True, verbose_name=_("contenu"))

    content_panels = Page.content_panels + [FieldPanel("date"), FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["core.NewsIndexPage"]

    class Meta:
        verbose_name = _("actualité")


class WorkerHeartbeat(models.Model):
    """A task worker that is alive (core/management/commands/db_worker.py beats every few seconds).

    The sweep (core/taskqueue.py) re-queues RUNNING tasks whose worker stopped beating: a worker killed by
    SIGKILL or a lost machine otherwise leaves them RUNNING forever (django-tasks-db has no lease).
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("battement de worker")

    def __str__(self):
        return self.worker_id


class SentEmail(models.Model):
    """One row per logical e-mail that went out: a retried task never sends the same e-mail twice.

    `key` is fixed when the e-mail is decided (core/mail.py: given by the caller or generated at enqueue time
    and stored with the task's arguments), so every attempt of the same task uses the same key. The row is
    written in the transaction that decides to send (core/tasks.py).
    """

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=1)  # a count only: no address kept (personal data)

    class Meta:
        verbose_name = _("e-mail envoyé")

    def __str__(self):
        return self.key
