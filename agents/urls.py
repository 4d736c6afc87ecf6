from django.contrib.auth import views as auth_views
from django.urls import path

from agents import views

app_name = "agents"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="agents/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("presence/", views.presence, name="presence"),
    path("heartbeat/", views.heartbeat, name="heartbeat"),
    path("conversations/<uuid:public_id>/", views.conversation, name="conversation"),
    path("conversations/<uuid:public_id>/join/", views.join, name="join"),
    path("conversations/<uuid:public_id>/leave/", views.leave, name="leave"),
    path("conversations/<uuid:public_id>/resolve/", views.resolve, name="resolve"),
]
