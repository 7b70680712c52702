from django.urls import path

from responses import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
]
