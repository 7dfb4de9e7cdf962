"""Browser tests: Playwright driving Debian's Chromium (fixtures in tests/support/browser.py)."""

from pathlib import Path

import pytest

from tests.support.browser import NO_CHROMIUM, chromium_missing

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    # Everything in this folder drives Chromium: `-m "not browser"` leaves it out.
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # Our addopts have no -rs, so without this a missing Chromium would only show as "s".
    skipped = terminalreporter.stats.get("skipped", [])
    if chromium_missing() and any(NO_CHROMIUM in str(getattr(r, "longrepr", "")) for r in skipped):
        terminalreporter.write_sep("=", "browser tests skipped: no Chromium", yellow=True)
        terminalreporter.write_line(NO_CHROMIUM)
