"""The app's URLconf plus a view that crashes, for the error-page tests."""
from django.urls import path

from reviewdesk.urls import handler500, urlpatterns  # noqa: F401 - handler500 is read from this module


def boom(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [*urlpatterns, path("boom", boom)]
