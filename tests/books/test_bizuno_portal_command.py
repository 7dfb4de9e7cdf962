"""`manage.py bizuno_portal`: setting the portal token and API user from a script."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bizunosync.books.models import PortalSettings

from .conftest import ORDER_ADD, an_order, form_body

pytestmark = pytest.mark.django_db


def _run(*args):
    out = StringIO()
    call_command("bizuno_portal", *args, stdout=out)
    return out.getvalue()


def test_it_stores_the_token_encrypted_and_prints_it_masked(db):
    out = _run("--token", "s3cret-token-123456")

    portal = PortalSettings.load()
    assert portal.token_plain == "s3cret-token-123456"
    assert "s3cret-token-123456" not in portal.api_token
    assert "s3cret-token-123456" not in out and "s3" in out
    assert "bizuno-api" in out


def test_the_default_api_user_can_authenticate_but_not_log_in(db, client, django_user_model):
    _run("--token", "s3cret-token-123456")

    user = django_user_model.objects.get(username="bizuno-api")
    assert user.is_active and not user.has_usable_password()
    response = client.generic("POST", ORDER_ADD, form_body(an_order()),
                              content_type="application/x-www-form-urlencoded", HTTP_X_BIZUNO_TOKEN="s3cret-token-123456")
    assert response.json()["result"] == "Success"


def test_it_binds_a_named_user(django_user_model):
    clerk = django_user_model.objects.create_user("clerk")

    _run("--token", "tok-abcdef", "--user", "clerk")

    assert PortalSettings.load().api_user == clerk


def test_running_it_again_replaces_the_token(db):
    _run("--token", "first-token")
    _run("--token", "second-token")

    assert PortalSettings.load().token_plain == "second-token"


@pytest.mark.parametrize("token", ["", "   ", "has space", "tab\there", "tökén"])
def test_it_refuses_a_token_that_cannot_travel_in_a_header(db, token):
    with pytest.raises(CommandError):
        _run("--token", token)
    assert not PortalSettings.objects.filter(api_token__gt="").exists()


def test_it_refuses_an_unknown_or_inactive_user(django_user_model):
    django_user_model.objects.create_user("gone", is_active=False)

    with pytest.raises(CommandError, match="No user"):
        _run("--token", "tok-abcdef", "--user", "nobody")
    with pytest.raises(CommandError, match="inactive"):
        _run("--token", "tok-abcdef", "--user", "gone")
