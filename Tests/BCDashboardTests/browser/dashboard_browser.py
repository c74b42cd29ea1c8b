"""What the dashboard's browser tests share: headless Chromium through Selenium, counted checks,
waiting for the next page, screenshots, and one way to end (issue 17).

The scripts beside this file import it (Python puts a script's own directory on its path).
"""
import os
import sys

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

SHOTS = os.environ.get("BCOPS_SCREENSHOTS", "")  # scripts/dashboard-screenshots.sh


class Checks:
    """Counts the checks, so a failure says how far the script got."""
    count = 0


def check(ok, what):
    Checks.count += 1
    if not ok:
        raise AssertionError(what)


def chrome(javascript=True):
    """Debian's headless Chromium and chromedriver (BCOPS_CHROMIUM, BCOPS_CHROMEDRIVER)."""
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("BCOPS_CHROMIUM", "/usr/bin/chromium")
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,760"]:
        options.add_argument(arg)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service(os.environ.get("BCOPS_CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    return driver


def no_alert(driver, where):
    try:
        driver.switch_to.alert
    except NoAlertPresentException:
        return
    raise AssertionError(f"an alert opened on {where}: a script ran")


def click(driver, element):
    """Clicks a link or a submit button and waits for the next page.

    A marker on the old window object tells the pages apart: a new document starts without it.
    (Selenium's staleness_of asks the old element, and chromedriver may answer that with an
    inspector error, not a stale-element one, while the new page is being built.)
    """
    driver.execute_script("window.bcopsOldPage = true")
    element.click()

    def next_page_loaded(d):
        try:
            return d.execute_script("return window.bcopsOldPage === undefined && document.readyState === 'complete'")
        except WebDriverException:  # the page is between documents
            return False

    WebDriverWait(driver, 15).until(next_page_loaded)


def shot(driver, name, full=True, max_height=1800):
    """With BCOPS_SCREENSHOTS=DIR, saves the page as DIR/dashboard-NAME.png: the whole page (up
    to `max_height` px) when `full`, then the window as it was."""
    if not SHOTS:
        return
    if full:
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1100, min(height + 120, max_height))
    driver.save_screenshot(os.path.join(SHOTS, f"dashboard-{name}.png"))
    if full:
        driver.set_window_size(1100, 760)


def run_script(label, main):
    """Runs `main`, then says how many checks passed, or which one failed and exits 1."""
    try:
        main()
    except AssertionError as e:
        print(f"{label} check failed after {Checks.count} checks: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"{label} checks passed: {Checks.count}")
