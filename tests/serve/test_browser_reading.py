"""The reading view of a source article in kg serve, in headless Chromium (as tests/test_browser.py):
the article's text with every quoted span highlighted, each span linked to the facts it supports;
writes docs/screenshots/source.png."""

from __future__ import annotations

from typing import Any

import pytest

import kg
from kg.sources.evidence import read_facts

from .test_browser import ROOT, _only_loopback, _open, _shot, browser, server

pytestmark = pytest.mark.data
__all__ = ["browser", "server"]  # the fixtures, shared with tests/test_browser.py

STEM = "000_5af62eee91348360"


def test_a_source_page_shows_the_article_with_its_quoted_spans_linked_to_facts(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, server + f"/source/{STEM}")
    article = browser.find_element(By.ID, "article")
    text = (kg.Project(ROOT).sources_dir / f"{STEM}.txt").read_text(encoding="utf-8")
    assert article.text.split() == text.split()  # the whole article, once
    marks = browser.find_elements(By.CSS_SELECTOR, "#article a.span mark")
    evidence = read_facts(ROOT / "facts" / f"{STEM}.ttl").evidence
    quoted = "".join(m.text for m in marks)
    for ev in evidence:  # every quoted span is highlighted
        assert ev.exact is not None and ev.exact.split()[0] in quoted
    assert len({m.find_element(By.XPATH, "..").get_attribute("href") for m in marks}) == len(evidence)
    # each sentence appears once on the page (no quote repeated per fact)
    main = browser.find_element(By.TAG_NAME, "main").text
    assert main.count("This was the first visit by a Kazakh President to Singapore") == 2  # article + quote list
    # the span of the arrival sentence names, in its title, the visit it supports
    spans = browser.find_elements(By.CSS_SELECTOR, "#article a.span")
    arrival = next(s for s in spans if "arrived in Singapore for a state visit" in s.text)
    assert "State visit of Kassym-Jomart Tokayev to Singapore" in arrival.get_attribute("title")
    arrival.click()
    target = browser.find_element(By.CSS_SELECTOR, "ol.spans > li:target")
    facts = target.find_element(By.CSS_SELECTOR, "ul.facts a")
    assert facts.get_attribute("href").startswith(server + "/id/")
    _only_loopback(browser, server)
    browser.execute_script("window.scrollTo(0, 0)")
    _shot(browser, "source")
