from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("mes-donnees/", views.download_my_data, name="download_data"),
    path("supprimer/", views.delete_account, name="delete_account"),
    path("organisations/nouvelle/", views.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/modifier/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<slug:slug>/inviter/", views.organisation_invite, name="organisation_invite"),
    path(
        "organisations/<slug:slug>/membres/<int:membership_id>/retirer/",
        views.organisation_remove_member,
        name="organisation_remove_member",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
