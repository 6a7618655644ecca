app_name = "discharges"
urlpatterns: list = []
