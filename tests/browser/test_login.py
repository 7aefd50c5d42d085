import pytest

pytestmark = pytest.mark.browser


def test_demo_user_logs_in_through_the_login_form(browser_login, live_server):
    page = browser_login("ruili_health")
    assert "/accounts/login/" not in page.url
    page.goto(f"{live_server.url}/accounts/login/")
    # Already logged in: the login page sends the user on instead of asking again.
    assert "/accounts/login/" not in page.url
