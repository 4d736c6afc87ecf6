from django.urls import path

from agents import views

app_name = "agents"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("login/", views.AgentLoginView.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("presence/", views.presence, name="presence"),
    path("heartbeat/", views.heartbeat, name="heartbeat"),
    path("conversations/<uuid:public_id>/", views.conversation, name="conversation"),
    path("conversations/<uuid:public_id>/summary/", views.summary, name="summary"),
    path(
        "conversations/<uuid:public_id>/summary/transcript/",
        views.summary_transcript,
        name="summary-transcript",
    ),
    path("conversations/<uuid:public_id>/join/", views.join, name="join"),
    path("conversations/<uuid:public_id>/pass/", views.pass_offer, name="pass"),
    path("conversations/<uuid:public_id>/assign/", views.assign, name="assign"),
    path("conversations/<uuid:public_id>/leave/", views.leave, name="leave"),
    path("conversations/<uuid:public_id>/resolve/", views.resolve, name="resolve"),
    path("conversations/<uuid:public_id>/rate/", views.rate, name="rate"),
    path("callbacks/<int:callback_id>/done/", views.finish_callback, name="callback-done"),
    path("callbacks/<int:callback_id>/take/", views.take_callback, name="callback-take"),
]
