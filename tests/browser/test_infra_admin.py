"""The browser fixtures work: a superuser logs into the admin in Chromium."""

import pytest

from tests.support.browser import NO_CHROMIUM, REPO, admin_login, chromium_missing, page_problems, screenshot

pytest_plugins = ["pytester"]

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_superuser_sees_the_admin_index_without_console_errors(live_server, page, admin_user_with_password):
    admin_login(page, live_server.url, "boss", "boss-password")

    assert page.url == f"{live_server.url}/admin/"
    assert page.locator("#site-name").is_visible()
    assert page.locator("#user-tools").inner_text().upper().startswith("WELCOME")
    assert page_problems(page) == []
    path = screenshot(page, "admin-index")
    assert path.stat().st_size > 10_000


def test_a_wrong_password_is_reported_by_the_login_helper(live_server, page, admin_user_with_password):
    with pytest.raises(AssertionError, match="admin login as 'boss' failed"):
        admin_login(page, live_server.url, "boss", "not-the-password")


@pytest.mark.allow_console_errors
def test_the_page_fixture_records_console_errors_and_failed_responses(live_server, page):
    page.goto(f"{live_server.url}/static/no-such-file.css")
    page.evaluate("console.error('boom')")
    page.evaluate("setTimeout(() => { throw new Error('kaboom') }, 0)")
    page.wait_for_timeout(50)

    problems = "\n".join(page_problems(page))
    assert "HTTP 404: GET" in problems
    assert "console error: boom" in problems
    assert "page error: kaboom" in problems


CHECKED_TEST = '''
import pytest

pytest_plugins = ["pytester"]
from tests.support.browser import browser, page  # noqa: F401

def test_unmarked(page):
    page.set_content("<script>console.error('unexpected')</script>")

@pytest.mark.allow_console_errors
def test_marked(page):
    page.set_content("<script>console.error('expected')</script>")
'''


def test_an_unexpected_console_error_fails_the_test_unless_it_is_marked(pytester, monkeypatch):
    if chromium_missing():
        pytest.skip(NO_CHROMIUM)
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    pytester.makeini("[pytest]\nmarkers =\n    allow_console_errors: x\n")
    pytester.makepyfile(test_checked=CHECKED_TEST)

    result = pytester.runpytest_subprocess("-p", "no:django", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_unmarked*", "*console error: unexpected*"])
