from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from reviewdesk.health import healthz
from reviewdesk.middleware import session_keepalive


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the static icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # one password page (responses.practice, audited): the top bar's account menu links to it; the old address redirects
    path("accounts/password/", RedirectView.as_view(pattern_name="password_change", permanent=True)),
    path("accounts/session/keepalive", session_keepalive, name="session_keepalive"),
    path("admin/", admin.site.urls),
    path("", include("responses.urls")),
]

handler500 = "reviewdesk.errors.server_error"
