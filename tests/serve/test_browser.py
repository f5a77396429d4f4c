"""The pages of ``kg serve`` in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``) driven by Selenium against a server on a free loopback port. Asserts on what
is rendered, checks that no page loads anything from another host, and writes screenshots of the
main pages to docs/screenshots/ (shown in the README).

Runs for real in CI (.ci/run installs Chromium and sets KG_REQUIRE_BROWSER=1); elsewhere it is
skipped when Chromium or its driver is missing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..serving import running_server

pytestmark = pytest.mark.data

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("KG_CHROMEDRIVER", "/usr/bin/chromedriver")

VISIT = "/id/visit/2024-05-kassym-jomart-tokayev-singapore"
VISIT_LABEL = "State visit of Kassym-Jomart Tokayev to Singapore, May 2024"
FIRST_QUOTE = "President Kassym-Jomart Tokayev arrived in Singapore for a state visit on May 23, the Akorda press service reported."


def _require_browser() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (Path(p).is_file() or shutil.which(p))]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    if missing:
        if os.environ.get("KG_REQUIRE_BROWSER") == "1":
            pytest.fail(
                f"KG_REQUIRE_BROWSER=1 but {', '.join(missing)} missing (apt-get install chromium chromium-driver)"
            )
        pytest.skip(f"{', '.join(missing)} missing (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require_browser()
    with running_server(ROOT, log=tmp_path_factory.mktemp("serve") / "serve.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _open(driver: Any, url: str) -> None:
    driver.get(url)


def _wait(driver: Any, css: str, timeout: float = 30) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def _only_loopback(driver: Any, server: str) -> None:
    """Every resource the page loaded came from the server itself, and the console is clean."""
    loaded = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href])"
    )
    assert loaded, "no resources recorded"
    foreign = [u for u in loaded if not (u.startswith(server + "/") or u.startswith(("data:", "blob:")))]
    assert not foreign, f"requests to other hosts: {foreign}"
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def _shot(driver: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def test_home_page_search_finds_an_entity(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _open(browser, server + "/")
    assert "Kazakhstan's foreign relations" in browser.find_element(By.TAG_NAME, "h1").text
    _only_loopback(browser, server)
    _shot(browser, "home")
    box = browser.find_element(By.ID, "q")
    box.send_keys("tokay", Keys.ENTER)
    _wait(browser, "ol.hits li")
    hits = browser.find_element(By.CSS_SELECTOR, "ol.hits").text
    assert hits.splitlines()[0].startswith("Kassym-Jomart Tokayev")  # a name that starts with the text comes first
    link = browser.find_element(By.LINK_TEXT, "Kassym-Jomart Tokayev")
    assert link.get_attribute("href") == server + "/id/person/kassym-jomart-tokayev"
    _open(browser, server + "/search?q=ALATAU")  # substring, any case
    assert "Alatau" in browser.find_element(By.CSS_SELECTOR, "ol.hits").text


def test_entity_page_shows_quotes_sources_links_and_network(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, server + VISIT)
    assert browser.find_element(By.ID, "label").text == VISIT_LABEL
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "Visit" in browser.find_element(By.CSS_SELECTOR, ".meta .cls").text
    assert FIRST_QUOTE in text
    assert "This was the first visit by a Kazakh President to Singapore in over twenty years." in text
    sources = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "section.source h3")]
    assert any("000_5af62eee91348360" in s for s in sources), sources
    guest = browser.find_element(By.LINK_TEXT, "Kassym-Jomart Tokayev")
    assert guest.get_attribute("href") == server + "/id/person/kassym-jomart-tokayev"
    network = _wait(browser, "#network[data-ready]")
    assert int(network.get_attribute("data-ready")) > 3
    _only_loopback(browser, server)
    _shot(browser, "entity")
    # a person: facts about him from several articles, and his Wikidata link marked as external
    _open(browser, server + "/id/person/kassym-jomart-tokayev")
    sources = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "section.source h3")]
    assert len(sources) >= 3, sources
    external = browser.find_element(By.CSS_SELECTOR, "ul.external-links a.external")
    assert external.get_attribute("href").startswith("http://www.wikidata.org/entity/Q")
    assert "Wikidata" in browser.find_element(By.CSS_SELECTOR, "ul.external-links").text
    _wait(browser, "#network[data-ready]")
    browser.execute_script("document.getElementById('network').scrollIntoView()")
    _shot(browser, "network")


def test_timeline_shows_the_state_visit_to_singapore(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, server + "/timeline")
    _wait(browser, "#timeline[data-ready]")
    items = [
        e.get_attribute("textContent")
        for e in browser.find_elements(By.CSS_SELECTOR, ".vis-item.visit .vis-item-content")
    ]
    assert VISIT_LABEL in items, items
    assert "dated events" in browser.find_element(By.ID, "timeline-status").text
    _only_loopback(browser, server)
    _shot(browser, "timeline")


def test_stored_query_form_runs_with_a_parameter(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, server + "/queries/visits")
    assert "Visits" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.NAME, "guest").send_keys("kassym-jomart-tokayev")
    browser.find_element(By.NAME, "with_sources").click()
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    browser.find_element(By.ID, "run").click()  # the page listed every visit: wait for the new one
    WebDriverWait(browser, 30, ignored_exceptions=[WebDriverException]).until(
        lambda d: (
            "guest=kassym-jomart-tokayev" in d.current_url
            and d.execute_script("return document.readyState") == "complete"
            and d.execute_script("return !!document.querySelector('table.results')")
        )
    )
    table = browser.find_element(By.CSS_SELECTOR, "table.results")
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert rows
    text = table.text
    assert "Kassym-Jomart Tokayev" in text and "Singapore" in text  # labels, not IRIs
    assert "https://kg.example.org/" not in text
    assert FIRST_QUOTE in text  # with sources
    assert browser.find_element(By.LINK_TEXT, "CSV").get_attribute("href").startswith(server + "/queries/visits.csv?")
    _only_loopback(browser, server)
    _shot(browser, "query")


def test_trade_chart_has_points_with_sources(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, server + "/trade")
    chart = _wait(browser, "#chart[data-ready]")
    assert int(chart.get_attribute("data-ready")) >= 5
    assert chart.find_elements(By.CSS_SELECTOR, "svg path")
    table = browser.find_element(By.ID, "points").text
    assert "Singapore" in table and "China" in table and "002_4f118ae1ab1f997f" in table
    _only_loopback(browser, server)
    _shot(browser, "trade")


def test_sparql_editor_runs_a_query(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, server + "/query")
    _wait(browser, ".yasqe .CodeMirror")
    _wait(browser, ".yasqe_queryButton").click()
    _wait(browser, ".yasr table.dataTable tbody tr, .yasr .dataTable tbody tr", timeout=30)
    assert "Singapore" in browser.find_element(By.CSS_SELECTOR, ".yasr").text
    _only_loopback(browser, server)
    _shot(browser, "editor")
