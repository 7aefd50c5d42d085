"""The pages work under the Content-Security-Policy: htmx loads and swaps, nothing blocked.

The page fixture fails any test during which Chromium reports a CSP violation; this test
adds the header check and one htmx round trip on the editor.
"""

import pytest
from django.urls import reverse

from perfgoals.models import TargetTable

pytestmark = pytest.mark.browser


def test_the_editor_runs_htmx_under_the_policy(browser_login, live_server):
    page = browser_login("ruili_health")
    table = TargetTable.objects.filter(
        organisation__name="瑞丽市卫生健康局", layout=TargetTable.Layout.PROJECT
    ).first()
    response = page.goto(f"{live_server.url}{reverse('tables:edit', args=[table.pk])}")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert page.evaluate("typeof window.htmx") == "object"
    # 检查: an htmx request that swaps the findings panel in place.
    with page.expect_response(lambda r: "/lint/" in r.url) as answer:
        page.get_by_role("button", name="检查").first.click()
    assert answer.value.status == 200
