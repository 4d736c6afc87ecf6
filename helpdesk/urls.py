from django.contrib import admin
from django.urls import include, path

from agents import views as agent_views
from helpdesk import views

urlpatterns = [
    path("", views.home, name="home"),
    path("chat/", include("helpdesk.chat_urls")),
    path("agent/", include("agents.urls")),
    path("admin/", admin.site.urls),
    path(
        "api/conversations/<uuid:public_id>/handoff/",
        agent_views.handoff_api,
        name="api-handoff",
    ),
    path("healthz", views.healthz, name="healthz"),
]
