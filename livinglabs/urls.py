app_name = "livinglabs"

urlpatterns: list = []
