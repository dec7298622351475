"""The HTML report in a real headless browser (Debian chromium driven by Playwright).

Skips where chromium or playwright is missing, unless SPUNDETECT_REQUIRE_BROWSER=1 (CI sets
it, after installing both), where that is a failure. The screenshot is saved to
``$SPUNDETECT_SCREENSHOT_DIR`` (default: the test's tmp folder).
"""

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spundetect.cli import app
from spundetect.detector import Detector

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _browser_or_skip():
    required = os.environ.get("SPUNDETECT_REQUIRE_BROWSER") == "1"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if chromium and sync_playwright:
        return chromium, sync_playwright
    if required:
        pytest.fail("SPUNDETECT_REQUIRE_BROWSER=1 but chromium or playwright is missing")
    pytest.skip("chromium or playwright is not installed")


def test_html_report_renders_spans_and_hover_text(tmp_path):
    chromium, sync_playwright = _browser_or_skip()
    page_file = tmp_path / "report.html"
    res = CliRunner().invoke(app, ["check", "--format", "html", "--output", str(page_file), str(EXAMPLES / "spun_article.txt")])
    assert res.exit_code == 1, res.output
    shots = Path(os.environ.get("SPUNDETECT_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    requests = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri())
        marks = page.locator("mark.spun")
        assert marks.count() >= 10
        assert all(box := [marks.nth(i).bounding_box() for i in range(3)]) and all(b["width"] > 0 for b in box)
        target = page.locator("mark.spun", has_text="press convention")
        assert target.count() == 1
        assert target.get_attribute("data-original") == "press conference"
        assert target.get_attribute("title") is None  # one tooltip: the page's own
        assert page.locator("[title]").evaluate_all("els => els.every(e => !e.closest('.text'))")
        before = target.evaluate("el => getComputedStyle(el, '::after').content")
        target.hover()
        after = target.evaluate("el => getComputedStyle(el, '::after').content")
        assert before in ("none", "normal", "") and "press conference" in after
        assert page.locator("aside li").count() == marks.count()
        assert page.locator(".strip a").count() == 16  # one heat cell per sentence
        assert f"likely spun from {Detector.load().document_threshold:.2f}" in page.inner_text(".legend")
        assert "risk marker, not proof" in page.inner_text("header")
        # marks and the list are numbered alike and linked both ways
        ref = target.locator("xpath=following-sibling::sup[1]/a")
        n = int(ref.inner_text())
        item = page.locator(f"aside li:nth-child({n})")
        assert ref.get_attribute("href") == "#" + item.get_attribute("id")
        assert item.locator("a").get_attribute("href") == "#" + target.get_attribute("id")
        assert "press conference" in item.inner_text() and "span score" in item.inner_text()
        page.screenshot(path=str(shots / "report.png"), full_page=False)
        # a phone: the columns stack, nothing overflows sideways, originals show without hover
        page.mouse.move(0, 0)  # no tooltip open
        page.set_viewport_size({"width": 400, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 400  # a long path in the heading too
        text_box, side_box = page.locator(".text").first.bounding_box(), page.locator("aside").first.bounding_box()
        assert side_box["y"] >= text_box["y"] + text_box["height"] and side_box["x"] + side_box["width"] <= 400
        assert item.is_visible() and "press conference" in item.inner_text()
        page.screenshot(path=str(shots / "report-400px.png"), full_page=True)
        browser.close()
    assert (shots / "report.png").stat().st_size > 10_000
    assert all(u.startswith("file://") for u in requests), requests  # standalone: no network requests
