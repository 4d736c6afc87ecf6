from django.urls import path

from widget import views

app_name = "widget"

urlpatterns = [
    path("", views.frame, name="frame"),
    path("start/", views.start, name="start"),
]
