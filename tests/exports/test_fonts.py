import logging
from io import BytesIO

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from perfgoals.exports import fonts
from perfgoals.exports.checks import check_pdf_dependencies
from perfgoals.exports.fetcher import STATIC_BASE, FetchRefused, StaticOnlyFetcher
from perfgoals.exports.pdf import SANS, SERIF, render_html
from tests.exports.helpers import pdf_text


def font_names(content: bytes) -> set[str]:
    reader = PdfReader(BytesIO(content))
    return {
        str(ref.get_object()["/BaseFont"]).split("+", 1)[-1]
        for page in reader.pages
        for ref in page["/Resources"]["/Font"].values()
    }


@pytest.fixture
def scratch_font_dir(settings, tmp_path):
    settings.PDF_FONT_DIR = tmp_path
    fonts.reset_cache()
    yield tmp_path
    fonts.reset_cache()


def test_working_fonts_are_cut_down_renamed_copies_of_the_system_faces(scratch_font_dir):
    built = fonts.working_fonts()
    assert set(built) == {"sans-normal", "sans-bold", "serif-normal", "serif-bold"}
    for slug, path in built.items():
        assert path.parent == scratch_font_dir
        assert path.stat().st_size < 6_000_000  # the system collections are 20–27 MB
        font = TTFont(path, lazy=True)
        assert font["name"].getDebugName(1) == ("Perfgoals Sans" if "sans" in slug else SERIF)
        cmap = font.getBestCmap()
        for char in "瑞丽市财政局绩效目标≥≧〔〕①％，。0Aé":
            assert ord(char) in cmap, (slug, char)


def test_working_fonts_are_built_once_and_reused(scratch_font_dir, monkeypatch):
    first = fonts.working_fonts()
    fonts.reset_cache()
    monkeypatch.setattr(fonts, "subset_unicodes", lambda *a: pytest.fail("rebuilt a cached font"))
    assert fonts.working_fonts() == first


def test_table_text_prints_in_the_working_font():
    content = render_html("<p>瑞丽市卫生健康局 年度资金总额 ≥90%</p><h1 class=title>标题</h1>")
    assert "瑞丽市卫生健康局年度资金总额≥90%" in pdf_text(content)
    assert font_names(content) == {"Perfgoals-Sans", "Perfgoals-Sans-Bold"}


def test_characters_outside_the_working_font_fall_back_to_the_full_system_font():
    # 堃 and 喆 occur in personal and place names but are not in GB 2312.
    content = render_html("<p>联系人：王堃 李喆</p>")
    assert "联系人：王堃李喆" in pdf_text(content)
    names = font_names(content)
    assert "Perfgoals-Sans" in names
    assert any("Noto-Sans-CJK-SC" in name for name in names), names


def test_pdf_still_renders_with_the_system_fonts_when_no_copy_can_be_built(
    scratch_font_dir, monkeypatch
):
    monkeypatch.setattr(fonts, "locate", lambda face: None)
    content = render_html("<p>瑞丽市财政局</p>", {SANS})
    assert "瑞丽市财政局" in pdf_text(content)
    assert all("Noto" in name for name in font_names(content))


def test_a_failing_build_is_logged_and_falls_back(scratch_font_dir, monkeypatch, caplog):
    def broken(*args):
        raise RuntimeError("corrupt font")

    monkeypatch.setattr(fonts, "subset_unicodes", broken)
    with caplog.at_level(logging.ERROR, logger="perfgoals.exports.fonts"):
        assert fonts.working_fonts() == {}
    assert "corrupt font" in caplog.text
    assert "瑞丽" in pdf_text(render_html("<p>瑞丽</p>"))
    assert [w.id for w in check_pdf_dependencies()] == ["exports.W003"]


def test_fetcher_serves_only_the_fonts_it_built(caplog):
    fetcher = StaticOnlyFetcher()
    name = fonts.working_fonts()["sans-normal"].name
    assert fetcher.fetch(f"{STATIC_BASE}pdf-fonts/{name}").read()[:4] == b"OTTO"
    for url in [
        f"{STATIC_BASE}pdf-fonts/../perfgoals/settings.py",
        f"{STATIC_BASE}pdf-fonts/%2e%2e/perfgoals/settings.py",
        f"{STATIC_BASE}pdf-fonts/other.otf",
        f"{STATIC_BASE}pdf-fonts/",
        f"https://127.0.0.1/pdf-fonts/{name}",
    ]:
        with caplog.at_level(logging.WARNING, logger="perfgoals.exports.fetcher"):
            with pytest.raises(FetchRefused):
                fetcher.fetch(url)
