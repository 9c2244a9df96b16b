"""The browser tests' set-up check: the message names exactly what is missing, and a set-up that
promised the browser (LIFECIRCLE_BROWSER=required) fails instead of skipping."""

from __future__ import annotations

import pytest
from browserneeds import BrowserParts, missing, required, skip_or_fail

ALL = BrowserParts("/usr/bin/chromium", "/usr/bin/chromedriver", "Noto Sans CJK SC")


def test_nothing_missing_says_nothing() -> None:
    assert missing(ALL) == ""


def test_a_missing_chromedriver_is_not_blamed_on_chromium() -> None:
    text = missing(BrowserParts("/usr/bin/chromium", None, "Noto Sans CJK SC"))
    assert "chromedriver (no `chromedriver` on PATH)" in text
    assert "Chromium (" not in text and "CJK" not in text
    assert "apt-get install chromium-driver`" in text


def test_a_missing_chromium_names_chromium_only() -> None:
    text = missing(BrowserParts(None, "/usr/bin/chromedriver", "Noto Sans CJK SC"))
    assert "Chromium (no `chromium`" in text and "chromedriver (" not in text
    assert "apt-get install chromium`" in text


def test_missing_cjk_fonts_and_missing_fontconfig_are_told_apart() -> None:
    no_font = missing(BrowserParts("/usr/bin/chromium", "/usr/bin/chromedriver", None))
    assert "CJK fonts (`fc-list :lang=zh` finds none" in no_font
    assert "apt-get install fonts-noto-cjk`" in no_font
    no_fc = missing(BrowserParts("/usr/bin/chromium", "/usr/bin/chromedriver", ""))
    assert "`fc-list` is not installed" in no_fc
    assert "apt-get install fontconfig fonts-noto-cjk`" in no_fc


def test_everything_missing_lists_all_three() -> None:
    text = missing(BrowserParts(None, None, None))
    assert text.count(";") == 3  # three parts, then the hint
    assert "apt-get install chromium chromium-driver fonts-noto-cjk`" in text


def test_required_only_when_the_set_up_says_so() -> None:
    assert required({"LIFECIRCLE_BROWSER": "required"})
    assert required({"LIFECIRCLE_BROWSER": " Required "})
    assert not required({"LIFECIRCLE_BROWSER": ""})
    assert not required({})


def test_skip_when_optional_fail_when_required() -> None:
    with pytest.raises(pytest.skip.Exception, match="chromedriver"):
        skip_or_fail("the browser tests need chromedriver", must_have=False)
    with pytest.raises(pytest.fail.Exception, match="meant to be installed"):
        skip_or_fail("the browser tests need chromedriver", must_have=True)
