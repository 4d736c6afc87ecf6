from django.urls import path

from helpdesk import views

app_name = "chat"

urlpatterns = [
    path("", views.chat_page, name="page"),
    path("start/", views.chat_start, name="start"),
    path("verify/", views.chat_verify, name="verify"),
    path("verify/resend/", views.chat_verify_resend, name="verify-resend"),
]
