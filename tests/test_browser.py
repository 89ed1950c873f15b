"""The reports in a real browser: headless Chromium opens the index and a chapter offline,
follows a link, shows no console error, requests nothing outside file://, and prints to PDF."""

from __future__ import annotations

import base64
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from batch_helpers import embedded_run
from conftest import browser_available, require

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1600", "--lang=nl"]
NETWORK = re.compile(r"(?:https?|wss?|ftp):", re.IGNORECASE)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    require(browser_available(), "chromium and chromedriver are not installed "
                                 "(Debian: apt-get install chromium chromium-driver)")
    run = embedded_run(tmp_path_factory)
    assert run.exit_code == 0, run.stdout
    return run.folder


@pytest.fixture
def browser(reports, tmp_path) -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profiel'}")  # fresh: no state leaks in
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options,
                              service=Service(executable_path=shutil.which("chromedriver")))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _outside(driver) -> list[str]:
    """Requests, from the DevTools Network events, that left the file: every request our pages
    made that is not file: or data:, and any request at all to the network (the browser's own
    chrome:// pages, such as the start page, are no network traffic)."""
    outside = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] != "Network.requestWillBeSent":
            continue
        url = message["params"]["request"]["url"]
        ours = message["params"].get("documentURL", "").startswith("file:")
        if (ours and not url.startswith(("file:", "data:"))) or NETWORK.match(url):
            outside.append(url)
    return outside


def _errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_index_and_chapter_open_offline_and_read_well(browser, reports, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get((reports / "index.html").as_uri())
    assert "De Basis op Orde" in browser.title
    browser.save_screenshot(str(tmp_path / "index.png"))
    browser.find_element(By.CSS_SELECTOR, 'a[href="wijdemeren.html"]').click()
    WebDriverWait(browser, 15).until(expected_conditions.title_contains("Wijdemeren"))

    heading = browser.find_element(By.TAG_NAME, "h1")
    assert heading.is_displayed() and "Wijdemeren" in heading.text
    red = browser.find_element(By.CSS_SELECTOR, 'td[data-status="rood"]')
    assert red.is_displayed() and "Rood" in red.text  # the word, not only the colour
    assert red.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)",
                                                                  "transparent")
    # The profile's bars: drawn, wide enough for their symbol and count, widths by count.
    bars = browser.find_elements(By.CSS_SELECTOR, "table.bo-profiel .bo-balk > .status")
    assert bars and all(bar.is_displayed() for bar in bars)
    assert all(browser.execute_script("return arguments[0].scrollWidth <= "
                                      "arguments[0].clientWidth", bar) for bar in bars)
    per_subtheme = [bar.size["width"] / int(bar.get_attribute("data-aantal")) for bar in bars
                    if int(bar.get_attribute("data-aantal")) > 1]
    assert per_subtheme and max(per_subtheme) - min(per_subtheme) < 2  # one scale (px)
    assert not browser.find_elements(By.CSS_SELECTOR, ".jp-InputArea, .jp-InputPrompt")
    browser.save_screenshot(str(tmp_path / "hoofdstuk.png"))

    assert _errors(browser) == []
    assert _outside(browser) == []


def test_comparison_opens_without_errors(browser, reports, tmp_path):
    browser.get((reports / "regio.html").as_uri())
    assert "Regionale vergelijking" in browser.title
    browser.save_screenshot(str(tmp_path / "regio.png"))
    assert _errors(browser) == []
    assert _outside(browser) == []


# -- print: what `basisop run --pdf` writes, and the pages in print emulation -------------------

MM = 96 / 25.4  # CSS pixels per millimetre
# The content width of a page: A4 minus the 15 mm side margins of basisop.css's @page.
CONTENT_WIDTH = {"": 180 * MM, "breed": 267 * MM}
# The embedded study prints to 1, 9 and 7-11 pages (werkwijze, findings, recommendations).
PAGE_BOUNDS = {"index": (1, 1), "regio": (3, 10), "hoofdstuk": (3, 14)}
PAGE_NUMBER = re.compile(r"^pagina \d+ van \d+$")


@pytest.fixture(scope="module")
def printed(reports, tmp_path_factory) -> Path:
    """`basisop run --pdf` for two chapters (the largest municipal one and the district's)."""
    import contextlib
    import io

    from basisop.cli import main

    out = tmp_path_factory.mktemp("pdf")
    with contextlib.redirect_stdout(io.StringIO()) as said:
        code = main(["run", "--out", str(out), "--pdf", "--eenheid", "W", "D"])
    assert code == 0, said.getvalue()
    return out / reports.name


def _kind(pdf: Path) -> str:
    return pdf.stem if pdf.stem in ("index", "regio") else "hoofdstuk"


def test_every_page_is_printed_to_pdf_within_bounds_and_with_text_on_every_page(printed):
    from pypdf import PdfReader

    pdfs = sorted(printed.glob("*.pdf"))
    assert [p.stem for p in pdfs] == sorted(p.stem for p in printed.glob("*.html"))
    for pdf in pdfs:
        reader = PdfReader(pdf)
        low, high = PAGE_BOUNDS[_kind(pdf)]
        assert low <= len(reader.pages) <= high, (pdf.name, len(reader.pages))
        title = str(reader.metadata.title)
        for number, page in enumerate(reader.pages, 1):
            size = sorted(round(float(v)) for v in page.mediabox[2:])
            assert size == [595, 842], (pdf.name, number, size)  # A4, either way round
            lines = [" ".join(line.split()) for line in page.extract_text().splitlines()]
            assert any(PAGE_NUMBER.match(line) for line in lines), (pdf.name, number)
            body = [line for line in lines if line and not PAGE_NUMBER.match(line)
                    and _squeezed(line) != _squeezed(title)]
            assert sum(map(len, body)) > 40, f"{pdf.name}: page {number} is (nearly) blank"
            outside = _text_outside(page)
            assert outside == [], (pdf.name, number, outside[:3])


def _squeezed(text: str) -> str:
    return re.sub(r"\W", "", text)


def _text_outside(page) -> list[str]:
    """Text drawn beyond the page's edges: clipped for the reader."""
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    outside = []

    def visit(text, cm, tm, font, size):
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip() and not (-1 <= x <= width and -1 <= y <= height):
            outside.append(f"{text.strip()[:30]!r} at ({x:.0f}, {y:.0f})")

    page.extract_text(visitor_text=visit)
    return outside


def test_pdfs_are_the_same_bytes_when_printed_again(printed):
    from basisop.batch.pdf import find_chromium, print_pdf

    page = printed / "wijdemeren.html"
    again = print_pdf(page, chromium=find_chromium(), datum="2024-12-12")
    assert again == page.with_suffix(".pdf").read_bytes()


# Per table: its class, its named @page (landscape: "breed"), width and overflowing cells.
TABLES = """
    const out = [];
    for (const table of document.querySelectorAll('table')) {
      let el = table, page = '';
      while (el && !page) {
        const p = getComputedStyle(el).page;
        if (p && p !== 'auto') page = p;
        el = el.parentElement;
      }
      const cells = [...table.querySelectorAll('th, td')]
        .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.trim());
      out.push({table: table.className, page: page,
                width: table.getBoundingClientRect().width, overflowing: cells});
    }
    return out;"""


def _print_width(driver, width: float) -> None:
    """Lay the page out as printed: print media, the page's content width."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": int(width), "height": 1100, "deviceScaleFactor": 1, "mobile": False})


def test_no_table_is_wider_than_its_printed_page_and_no_cell_overflows(browser, reports):
    measured = 0
    for page in _pages(reports):
        for name, width in CONTENT_WIDTH.items():
            _print_width(browser, width)
            browser.get(page.as_uri())
            for table in browser.execute_script(TABLES):
                if table["page"] != name:
                    continue
                measured += 1
                assert table["width"] <= int(width) + 1, (page.name, table)
                assert table["overflowing"] == [], (page.name, table)
    assert measured >= 5


def test_a_chapter_prints_to_pdf_on_a4(browser, reports, tmp_path):
    browser.get((reports / "wijdemeren.html").as_uri())
    printed = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": True,
                                                          "preferCSSPageSize": True})
    pdf = base64.b64decode(printed["data"])
    (tmp_path / "hoofdstuk.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages >= 2  # intro and table, then the themes on their own pages
    # A4 from the print stylesheet (@page size): 595 x 842 points
    sizes = {(round(float(w)), round(float(h))) for w, h in
             re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
    assert sizes == {(595, 842)}


@pytest.fixture
def page_browser(tmp_path) -> Iterator:
    """A browser without the embedded run, for pages built straight from presentation."""
    require(browser_available(), "chromium and chromedriver are not installed "
                                 "(Debian: apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profiel'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options,
                              service=Service(executable_path=shutil.which("chromedriver")))
    # the 400-unit overview takes a few seconds to print, more on a busy machine
    driver.command_executor._client_config.timeout = 600
    driver.set_page_load_timeout(300)
    try:
        yield driver
    finally:
        driver.quit()


# The overview's texts: every label and heading of the matrix, its cells' symbols, the bars'
# names and segments. Per text node its text, font size in CSS px, matrix (its index in the page,
# -1 outside one) and boxes (one per line of a wrapped text); then every pair of boxes that
# overlap by more than half a pixel, and the first (national) matrix's height.
OVERVIEW_TEXTS = """
    const texts = [], boxes = [];
    const matrices = [...document.querySelectorAll('table.bo-matrix')];
    const selector = 'table.bo-matrix th, table.bo-matrix th span, table.bo-matrix td,'
      + ' table.bo-balken th, .bo-balk > .status';
    for (const el of document.querySelectorAll(selector)) {
      for (const node of el.childNodes) {
        if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
        const text = node.textContent.trim();
        texts.push({text: text, size: parseFloat(getComputedStyle(el).fontSize),
                    row: el.scope === 'row', matrix: matrices.indexOf(el.closest('table'))});
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const r of range.getClientRects()) {
          boxes.push({text: text, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom});
        }
      }
    }
    boxes.sort((a, b) => a.y0 - b.y0);
    const overlaps = [];
    for (let i = 0; i < boxes.length; i++) {
      const a = boxes[i];
      for (let j = i + 1; j < boxes.length && boxes[j].y0 < a.y1 - 0.5; j++) {
        const b = boxes[j];
        if (Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) > 0.5) overlaps.push([a.text, b.text]);
      }
    }
    const matrix = document.querySelector('table.bo-matrix').getBoundingClientRect();
    return {texts: texts, overlaps: overlaps, height: matrix.height};"""
MIN_PX = 7 * 96 / 72  # 7 pt in CSS px


def _overview_page(folder: Path, data) -> Path:
    """The overview's blocks and a region page's matrix and bars, in the export's stylesheet."""
    from basisop import presentation as p
    from basisop.batch.export import CSS
    from basisop.presentation import overview as po

    overview = po.Overview.build(data)
    region = p.Region.build(data, next(iter(data.study.regions)))
    page = folder / "overzicht.html"
    page.write_text(
        f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Overzicht</title>'
        f'<style>{CSS.read_text()}</style></head><body class="jp-Notebook"><main>'
        f"{po.overview_intro(overview)}{p.section('Verdeling per subthema')}"
        f"{po.national_distribution_html(overview)}{po.red_by_region_html(overview)}"
        f"{p.section('Status per eenheid, per regio')}{po.national_matrix_html(overview)}"
        f"{po.comparison_html(region)}{po.comparison_figure_html(region)}</main></body></html>",
        encoding="utf-8")
    return page


def test_the_overview_reads_and_prints_at_1_40_and_400_units(page_browser, tmp_path_factory,
                                                             tmp_path):
    from test_overview import national

    heights, label_sizes = [], set()
    for units in (1, 40, 400):
        data = national(tmp_path_factory, units)
        page = _overview_page(tmp_path, data)
        for media, width in (("screen", 1280), ("print", CONTENT_WIDTH[""])):
            if media == "print":
                _print_width(page_browser, width)
            page_browser.get(page.as_uri())
            if media == "screen":
                page_browser.save_screenshot(str(tmp_path / f"overzicht-{units}.png"))
            measured = page_browser.execute_script(OVERVIEW_TEXTS)
            texts = [t["text"] for t in measured["texts"] if t["matrix"] == 0]
            for unit in data.study.eenheden:
                assert texts.count(f"{unit.naam} ({unit.code})") == 1, (media, unit.naam)
            assert measured["overlaps"] == [], (units, media, measured["overlaps"][:5])
            assert min(t["size"] for t in measured["texts"]) >= MIN_PX - 0.01
            label_sizes |= {(media, t["size"]) for t in measured["texts"]
                            if t["row"] and t["matrix"] >= 0}
            if media == "print":  # every table within the printed page's width, no cell overflows
                heights.append(measured["height"])
                for table in page_browser.execute_script(TABLES):
                    assert table["width"] <= width + 1 and table["overflowing"] == [], table
        page_browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        page_browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        printed = page_browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": True,
                                                                   "preferCSSPageSize": True})
        pdf = base64.b64decode(printed["data"])
        (tmp_path / f"overzicht-{units}.pdf").write_bytes(pdf)
        sizes = {(round(float(w)), round(float(h))) for w, h in
                 re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
        assert sizes == {(595, 842)}
        assert _errors(page_browser) == []
    # more units make the matrix longer; its labels keep one size on screen and one in print
    assert heights[0] < heights[1] < heights[2]
    assert len({size for media, size in label_sizes if media == "screen"}) == 1
    assert len({size for media, size in label_sizes if media == "print"}) == 1


def test_the_overview_passes_axe_at_wcag21_aa(page_browser, tmp_path_factory, tmp_path,
                                              axe_source):
    from test_overview import national

    page_browser.set_script_timeout(120)
    page_browser.get(_overview_page(tmp_path, national(tmp_path_factory, 40)).as_uri())
    assert [_describe(v) for v in _axe(page_browser, axe_source)["violations"]] == []


# -- accessibility: axe-core 4.x from npm (tests/package-lock.json), WCAG 2.1 A and AA ----------

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _pages(reports: Path) -> list[Path]:
    return sorted(reports.glob("*.html"))


@pytest.fixture(scope="module")
def axe_source() -> str:
    require(AXE.is_file(), "axe-core is not installed (cd tests && npm ci; needs node and npm)")
    return AXE.read_text(encoding="utf-8")


def test_every_page_passes_axe_at_wcag21_aa(browser, reports, axe_source):
    browser.set_script_timeout(60)
    violations, incomplete = {}, {}
    for page in _pages(reports):
        browser.get(page.as_uri())
        result = _axe(browser, axe_source)
        violations[page.name] = [_describe(v) for v in result["violations"]]
        incomplete[page.name] = [_describe(v) for v in result["incomplete"]]
    for name, items in incomplete.items():  # to be checked by a person, not failed
        for item in items:
            print(f"axe incomplete on {name}: {item}")
    assert {name: items for name, items in violations.items() if items} == {}
    assert len(violations) >= 3  # index, the comparison and at least one chapter


def _axe(driver, axe_source: str) -> dict:
    """axe-core's violations and incomplete checks (WCAG 2.1 A and AA) on the open page."""
    driver.execute_script(axe_source)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        "  .then(r => done({violations: r.violations, incomplete: r.incomplete,"
        "                   passes: r.passes.length, version: r.testEngine.version}))"
        "  .catch(e => done({error: String(e)}));", WCAG_TAGS)
    assert result.get("version", "").startswith("4.") and result["passes"] > 0, result
    return result


def _describe(rule: dict) -> str:
    targets = [" ".join(map(str, node["target"])) for node in rule["nodes"][:3]]
    return (f"{rule['id']} ({rule['impact']}): {rule['help']} – {len(rule['nodes'])}x, "
            f"e.g. {targets}")
