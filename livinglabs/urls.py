from django.urls import path

from livinglabs import views

app_name = "livinglabs"

urlpatterns = [
    path("carte.json", views.map_json, name="map_json"),
    path("liste/", views.list_fragment, name="list"),
    path("export.<str:fmt>", views.export, name="export"),
    path("dcat.jsonld", views.dcat, name="dcat"),
    path("statistiques/", views.statistics, name="statistics"),
    path("declarer/", views.propose, name="propose"),
    path("mes-living-labs/", views.mine, name="mine"),
    path("<int:pk>/modifier/", views.update, name="update"),
    path("<int:pk>/contact/", views.contact, name="contact"),
    path("verifier/<str:token>/", views.verify, name="verify"),
]
