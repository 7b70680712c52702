"""`make run` loads a demo practice; running it again must not duplicate anything."""
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from responses.models import Location, Practice, Review, StaffMember


def counts():
    return (Practice.objects.count(), Location.objects.count(), StaffMember.objects.count(), Review.objects.count())


@pytest.mark.django_db
def test_loading_the_demo_twice_changes_nothing_the_second_time(settings, capsys):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "correct horse battery staple"
    call_command("load_demo")
    first = counts()
    call_command("load_demo")
    assert counts() == first
    assert first[3] >= 24, "a few dozen demo reviews"
    assert "log in as 'frontdesk'" in capsys.readouterr().out


@pytest.mark.django_db
def test_both_demo_users_can_log_in_with_the_printed_password(settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "correct horse battery staple"
    call_command("load_demo")
    request = RequestFactory().post("/accounts/login/")  # the brute-force protection needs the request
    frontdesk = authenticate(request, username="frontdesk", password="correct horse battery staple")
    manager = authenticate(request, username="manager", password="correct horse battery staple")
    assert frontdesk.has_perm("responses.submit_reply") and not frontdesk.has_perm("responses.approve_reply")
    assert manager.has_perm("responses.approve_reply")


@pytest.mark.django_db
def test_without_a_configured_password_it_makes_a_random_one_and_keeps_it(settings, tmp_path):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = ""
    settings.VAR_DIR = tmp_path
    call_command("load_demo")
    password = (tmp_path / "demo-password").read_text().strip()
    assert len(password) >= 12
    call_command("load_demo")
    assert authenticate(RequestFactory().post("/accounts/login/"), username="manager", password=password) is not None


@pytest.mark.django_db
def test_it_refuses_to_load_demo_users_into_a_production_deployment(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("load_demo")
    assert Practice.objects.count() == 0
