from django.contrib import admin
from django.urls import include, path

from escalation import views as escalation_views
from helpdesk import views

urlpatterns = [
    path("", views.home, name="home"),
    path("chat/", include("helpdesk.chat_urls")),
    path("widget/", include("widget.urls")),
    path("agent/", include("agents.urls")),
    path("supervisor/", include("escalation.urls")),
    path("metrics", escalation_views.prometheus, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
]
