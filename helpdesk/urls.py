from django.contrib import admin
from django.urls import include, path

from helpdesk import views

urlpatterns = [
    path("", views.home, name="home"),
    path("chat/", include("helpdesk.chat_urls")),
    path("agent/", include("agents.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("healthz", views.healthz, name="healthz"),
]
