from django.urls import path

from escalation import views

app_name = "supervisor"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:name>.csv", views.export, name="export"),
]
