"""The first Tab stop of every page skips the top bar (WCAG 2.4.1, GB/T 37668)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser


def test_first_tab_offers_to_skip_to_the_content(browser_login, live_server):
    page = browser_login("ruili_health")
    page.goto(live_server.url + reverse("table_list"))
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.innerText]")
    assert focused == ["skip-link", "跳到正文"]
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # visible once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab lands in the content, not back in the top bar.
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')")
