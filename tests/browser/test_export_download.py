import pytest

from perfgoals.models import TargetTable

pytestmark = pytest.mark.browser


def test_bureau_downloads_the_pdf_of_its_table_from_the_table_page(
    browser_login, live_server, artifacts_dir
):
    page = browser_login("ruili_health")
    table = TargetTable.objects.get(layout="project", organisation__name="瑞丽市卫生健康局")
    page.goto(f"{live_server.url}{table.get_absolute_url()}")
    link = page.locator(".export-links a", has_text="PDF").first
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    target = artifacts_dir / "exports" / "browser-download.pdf"
    target.parent.mkdir(exist_ok=True)
    download.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
