#!/usr/bin/env python3
"""The dashboard in a real browser (headless Chromium driven by Selenium), issue 17.

Run by Tests/BCDashboardTests/BrowserTests.swift against a real engine with --ui-listen, which
made the jobs described in BCOPS_FIXTURE (JSON). The login key comes in BCOPS_LOGIN_ID and
BCOPS_LOGIN_SECRET and is never printed. With BCOPS_SCREENSHOTS=DIR the main pages are saved as
PNGs there (scripts/dashboard-screenshots.sh).
"""
import json
import os
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from dashboard_browser import check, chrome, click, no_alert, run_script, shot

UI = os.environ["BCOPS_UI"]
FIX = json.loads(os.environ["BCOPS_FIXTURE"])
COLOURS = {  # the CSS's colours per state, as computed styles
    "Finished": "rgb(46, 125, 50)", "Failed": "rgb(198, 40, 40)", "Running": "rgb(21, 101, 192)",
    "Waiting": "rgb(158, 158, 158)", "Stopped": "rgb(239, 108, 0)",
}


def main():
    driver = chrome()
    try:
        run(driver)
    finally:
        driver.quit()


def run(d):
    css = d.find_elements
    # The counters, on every page.
    for page in ["/ui/rendering", "/ui/projects", "/ui/finished"]:
        d.get(UI + page)
        no_alert(d, page)
        for cid, want in FIX["counters"].items():
            got = d.find_element(By.ID, cid).text
            check(got == str(want), f"{page}: {cid} is {got}, want {want}")
    d.get(UI + "/ui/rendering")
    shot(d, "rendering", full=False)
    d.get(UI + "/ui/projects")
    check("<script>alert(2)</script>" in d.find_element(By.ID, "projects").text, "the project's description is shown as text")
    no_alert(d, "projects")
    shot(d, "projects", full=False)

    # The failing job: tiles with states and colours, the list view, a node's log.
    d.get(UI + "/ui/jobs/" + FIX["failing"])
    tiles = css(By.CSS_SELECTOR, "div.node-tile")
    check(len(tiles) == 3, f"3 tiles, got {len(tiles)}")
    states = sorted(t.get_attribute("data-state") for t in tiles)
    check(states == FIX["failingStates"], f"tile states {states}, want {FIX['failingStates']}")
    for t in tiles:
        state = t.get_attribute("data-state")
        colour = t.value_of_css_property("background-color").replace("rgba", "rgb").replace(", 1)", ")")
        check(colour == COLOURS[state], f"a {state} tile is {colour}, want {COLOURS[state]}")
        check(t.is_displayed() and state in t.text, f"the {state} tile shows its state")
    check(len(css(By.CSS_SELECTOR, "tr.instance-row")) == 3, "3 rows in the list view")
    log = d.find_element(By.CSS_SELECTOR, 'pre.node-log[data-instance="1"][data-stream="stderr"]').text
    check("node one gives up" in log, "instance 1's stderr is shown")
    out = d.find_element(By.CSS_SELECTOR, 'pre.node-log[data-instance="0"][data-stream="stdout"]').text
    check("Fra:1" in out and "Saved:" in out, "instance 0's renderer lines are shown")
    check(d.find_element(By.ID, "job-state").text == "Failed", "the job is Failed")
    shot(d, "job")

    # The real render: Blender on 3 nodes, the node given frame 2 made to fail.
    d.get(UI + "/ui/jobs/" + FIX["blender"])
    tiles = css(By.CSS_SELECTOR, "div.node-tile")
    states = sorted(t.get_attribute("data-state") for t in tiles)
    check(states == ["Failed", "Finished", "Finished"] == FIX["blenderStates"], f"Blender's tiles {states}, engine {FIX['blenderStates']}")
    for t in tiles:
        state = t.get_attribute("data-state")
        colour = t.value_of_css_property("background-color").replace("rgba", "rgb").replace(", 1)", ")")
        check(colour == COLOURS[state], f"a {state} Blender tile is {colour}, want {COLOURS[state]}")
    out = d.find_element(By.CSS_SELECTOR, 'pre.node-log[data-instance="0"][data-stream="stdout"]').text
    check("Blender" in out and "Fra:1" in out and "Saved:" in out, f"node 0's log shows Blender's lines: {out[:300]}")
    err = d.find_element(By.CSS_SELECTOR, 'pre.node-log[data-instance="1"][data-stream="stderr"]').text
    check("script failed" in err and "fail_frame_2.py" in err, f"node 1's stderr says why it failed: {err[:300]}")
    traceback = d.find_element(By.CSS_SELECTOR, 'pre.node-log[data-instance="1"][data-stream="stdout"]').text
    check("RuntimeError: this node is made to fail" in traceback, f"node 1's stdout has Blender's traceback: {traceback[-300:]}")
    thumbs = css(By.CSS_SELECTOR, "img.thumb")
    check(len(thumbs) == 2, f"2 thumbnails of Blender's frames 1 and 3, got {len(thumbs)}")
    for t in thumbs:
        width = d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", t)
        check(width and width > 0, f"Blender's frame {t.get_attribute('alt')} loaded")
    no_alert(d, "the Blender job")
    shot(d, "blender-job")

    # <script> in a description and a log line: text, no alert.
    d.get(UI + "/ui/jobs/" + FIX["hostile"])
    no_alert(d, "the hostile job")
    check(d.find_element(By.ID, "job-description").text == "<script>alert(1)</script>", "the description is text")
    hostile_log = d.find_element(By.CSS_SELECTOR, 'pre.node-log[data-stream="stdout"]')
    check(hostile_log.is_displayed() and "<script>alert(1)</script>" in hostile_log.text, "the log line is text")
    scripts = d.execute_script("return Array.from(document.scripts).map(s => s.getAttribute('src') + '|' + s.text)")
    check(scripts == ["/ui/static/live.js|"], f"no script element on the page but the dashboard's live.js: {scripts}")

    # Thumbnails load.
    d.get(UI + "/ui/jobs/" + FIX["render"])
    thumbs = css(By.CSS_SELECTOR, "img.thumb")
    check(len(thumbs) == 2, f"2 thumbnails, got {len(thumbs)}")
    for t in thumbs:
        width = d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", t)
        check(width and width > 0, f"thumbnail {t.get_attribute('alt')} loaded")
    shot(d, "render-job")

    # The finished list: filter by state through the form, pages of 20, next and previous.
    d.get(UI + "/ui/finished")
    check(len(css(By.CSS_SELECTOR, "tr.job-row")) == 20, "page 1 has 20 rows")
    shot(d, "finished", full=False)
    click(d, d.find_element(By.ID, "next"))
    rows = len(css(By.CSS_SELECTOR, "tr.job-row"))
    check(rows == FIX["ended"] - 20, f"page 2 has {rows} rows, want {FIX['ended'] - 20}")
    click(d, d.find_element(By.ID, "prev"))
    check(len(css(By.CSS_SELECTOR, "tr.job-row")) == 20, "previous leads back to 20 rows")
    Select(d.find_element(By.NAME, "state")).select_by_value("Failed")
    click(d, d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
    failed = [r.get_attribute("data-state") for r in css(By.CSS_SELECTOR, "tr.job-row")]
    check(failed == ["Failed"], f"the Failed filter shows the failing job only, got {failed}")
    Select(d.find_element(By.NAME, "state")).select_by_value("All")
    name = d.find_element(By.NAME, "name")
    name.clear()
    name.send_keys("bulk-1")
    Select(d.find_element(By.NAME, "perPage")).select_by_value("50")
    click(d, d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
    check(len(css(By.CSS_SELECTOR, "tr.job-row")) == 11, "the name filter: bulk-1 and bulk-10..19")

    # Actions: without a login there is no form, and a POST is sent to the login page.
    sleeper = "/ui/jobs/" + FIX["sleeper"]
    d.get(UI + sleeper)
    check(not css(By.ID, "stop") and css(By.ID, "login-link"), "no stop button without a login")
    landed = d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0] + '/stop', {method: 'POST', body: 'csrf=x', headers: {'Content-Type': 'application/x-www-form-urlencoded'}})
          .then(r => done(r.url)).catch(e => done('error ' + e));""", sleeper)
    check(landed.endswith("/ui/login"), f"an action without a login lands on the login page, got {landed}")
    d.get(UI + sleeper)
    check(d.find_element(By.ID, "job-state").text == "Running", "the job still runs")

    # Log in through the form; a forged CSRF token is refused, the real one stops the job.
    click(d, d.find_element(By.ID, "login-link"))
    d.find_element(By.NAME, "accessKeyId").send_keys(os.environ["BCOPS_LOGIN_ID"])
    d.find_element(By.NAME, "accessKeySecret").send_keys(os.environ["BCOPS_LOGIN_SECRET"])
    click(d, d.find_element(By.ID, "login"))
    cookie = d.get_cookie("bcops_session")
    check(cookie is not None and cookie.get("httpOnly") and cookie.get("sameSite") == "Strict",
          f"an HttpOnly, SameSite=Strict session (on {d.current_url}, refused={bool(css(By.ID, 'refused'))}, failed={bool(css(By.ID, 'login-failed'))}: {cookie and {k: v for k, v in cookie.items() if k != 'value'}})")
    check(d.execute_script("return document.cookie") == "", "the session cookie is not visible to scripts")
    d.get(UI + sleeper)
    d.execute_script("document.querySelector('form[action$=\"/stop\"] input[name=csrf]').value = 'forged'")
    click(d, d.find_element(By.ID, "stop"))
    check(css(By.ID, "refused"), "a forged CSRF token is refused")
    d.get(UI + sleeper)
    check(d.find_element(By.ID, "job-state").text == "Running", "the job still runs after the refusal")
    d.execute_script("document.querySelector('form[action$=\"/stop\"] input[name=csrf]').remove()")
    click(d, d.find_element(By.ID, "stop"))
    check(css(By.ID, "refused"), "a missing CSRF token is refused")
    d.get(UI + sleeper)
    click(d, d.find_element(By.ID, "stop"))
    check(d.current_url.endswith(sleeper), f"after stopping, back on the job page ({d.current_url})")
    for _ in range(50):
        if d.find_element(By.ID, "job-state").text == "Stopped":
            break
        time.sleep(0.2)
        d.get(UI + sleeper)
    check(d.find_element(By.ID, "job-state").text == "Stopped", "the job is stopped")


if __name__ == "__main__":
    run_script("browser", main)
