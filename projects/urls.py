from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    # Applicant side
    path("", views.dashboard, name="dashboard"),
    path("appel/<int:call_id>/candidater/", views.start, name="start"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    path("<int:pk>/etape/<slug:step>/", views.step, name="step"),
    path("<int:pk>/autosave/<slug:step>/", views.autosave, name="autosave"),
    path("<int:pk>/pieces/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/pieces/<int:attachment_id>/supprimer/", views.attachment_delete, name="attachment_delete"),
    path("<int:pk>/recepisse/", views.receipt, name="receipt"),
    path("<int:pk>/recapitulatif/", views.recap, name="application_recap"),
    path("<int:pk>/retirer/", views.withdraw, name="withdraw"),
    path("<int:pk>/renvoyer/", views.resubmit, name="resubmit"),
    path("<int:pk>/messages/", views.post_message, name="post_message"),
    path("<int:pk>/notification/", views.decision_letter, name="decision_letter"),
    path("<int:pk>/attestation/", views.attestation, name="attestation"),
    # Staff review area
    path("instruction/", views.staff_home, name="staff_home"),
    path("instruction/appel/<int:call_id>/", views.staff_call, name="staff_call"),
    path("instruction/appel/<int:call_id>/classement/", views.staff_ranking, name="staff_ranking"),
    path("instruction/appel/<int:call_id>/export.<str:fmt>", views.staff_export, name="staff_export"),
    path("instruction/dossier/<int:pk>/", views.staff_application, name="staff_application"),
    path("evaluations/", views.my_reviews, name="my_reviews"),
    path("evaluations/<int:assignment_id>/", views.review, name="review"),
    # Public laureates and open data
    path("laureats/", views.laureates, name="laureates"),
    path("laureats/donnees.<str:fmt>", views.open_data, name="open_data"),
    path("laureats/<str:reference>/", views.laureate_detail, name="laureate_detail"),
]
