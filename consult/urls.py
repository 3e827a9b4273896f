"""Public URLs of consultations, mounted at /participation/ (app_name "consult")."""

from django.urls import path

from consult import api, exports, feeds, views
from consult.websockets import views as live_views

app_name = "consult"

urlpatterns = [
    path("<int:consultation_id>/section/<slug:section_anchor>/", views.section_view, name="section"),
    path("<int:consultation_id>/section/<slug:section_anchor>/contribuer/", views.post_contribution, name="post"),
    path("contribution/<int:pk>/repondre/", views.reply, name="reply"),
    path("contribution/<int:pk>/vote/", views.vote, name="vote"),
    path("contribution/<int:pk>/signaler/", views.flag, name="flag"),
    path("contribution/<int:pk>/modifier/", views.edit, name="edit"),
    path("contribution/<int:pk>/retirer/", views.withdraw, name="withdraw"),
    path("contribution/<int:pk>/fragment/", views.contribution_fragment, name="contribution_fragment"),
    path("<int:consultation_id>/suivre/", views.follow, name="follow"),
    path("<int:consultation_id>/statistiques/", views.statistics, name="statistics"),
    path("<int:consultation_id>/export.<str:fmt>", exports.public_export, name="export"),
    path("<int:consultation_id>/export-moderation.<str:fmt>", exports.staff_export, name="export_staff"),
    path("flux/consultations.rss", feeds.ConsultationsRssFeed(), name="feed_rss"),
    path("flux/consultations.atom", feeds.ConsultationsAtomFeed(), name="feed_atom"),
    path("<int:consultation_id>/flux.rss", feeds.ContributionsRssFeed(), name="contributions_rss"),
    path("<int:consultation_id>/flux.atom", feeds.ContributionsAtomFeed(), name="contributions_atom"),
    path("api/consultations/", api.consultations, name="api_consultations"),
    path("api/consultations/<int:consultation_id>/", api.consultation_detail, name="api_consultation"),
    path("api/consultations/<int:consultation_id>/sections/", api.sections, name="api_sections"),
    path("api/consultations/<int:consultation_id>/contributions/", api.contributions, name="api_contributions"),
    path("<int:consultation_id>/evenements/", live_views.events, name="events"),
]
