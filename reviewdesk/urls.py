from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from reviewdesk.health import healthz
from reviewdesk.middleware import session_keepalive

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(
        template_name="registration/desk_password_change.html", success_url="/"
    ), name="password_change"),
    path("accounts/session/keepalive", session_keepalive, name="session_keepalive"),
    path("admin/", admin.site.urls),
    path("", include("responses.urls")),
]
