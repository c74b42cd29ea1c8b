#!/usr/bin/env python3
"""Live updates in a real browser (headless Chromium driven by Selenium), issue 17.

Run by Tests/BCDashboardTests/LiveBrowserTests.swift against a real engine with --ui-listen and
--load-interval 1s, which started the jobs described in BCOPS_FIXTURE (JSON): nodes that wait
for a gate file to exist, one of them spinning on the CPU. The page is loaded once; then the
gate opens and the page must change WITHOUT a reload: a tile turns Running -> Finished, a new
log line appears, the worker log grows. Then the same pages with JavaScript off, still readable.
"""
import json
import os

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from dashboard_browser import check, chrome, run_script, shot

UI = os.environ["BCOPS_UI"]
FIX = json.loads(os.environ["BCOPS_FIXTURE"])
def wait(d, what, condition, seconds=45):
    """Waits for `condition(d)`, reading the page as it is: no reload, no navigation."""
    def holds(driver):
        try:
            return condition(driver)
        except Exception:  # an element replaced between a find and a read: ask again
            return False
    try:
        WebDriverWait(d, seconds, poll_frequency=0.2).until(holds)
    except TimeoutException:
        raise AssertionError(f"timed out waiting for {what}")


def text(d, selector):
    return d.find_element(By.CSS_SELECTOR, selector).text


def tile(d, n):
    return d.find_element(By.CSS_SELECTOR, f'div.node-tile[data-instance="{n}"]')


def open_gate(path):
    with open(path, "w"):
        pass


def live_job_page(d):
    job = "/ui/jobs/" + FIX["job"]
    d.get(UI + job)
    check(tile(d, 0).get_attribute("data-state") == "Running", "node 0 runs")
    check(tile(d, 1).get_attribute("data-state") == "Running", "node 1 runs")
    check("Fra:1 start" in text(d, 'pre.node-log[data-instance="0"][data-stream="stdout"]'), "node 0's first line")
    check("Saved:" not in text(d, 'pre.node-log[data-instance="0"][data-stream="stdout"]'), "not its last line yet")
    worker_before = text(d, 'pre.node-log[data-instance="0"][data-stream="worker"]')
    check("dispatched to" in worker_before and "starting" in worker_before, f"node 0's worker log: {worker_before}")
    # A marker on the window: a reload or a navigation would drop it.
    d.execute_script("window.bcopsSamePage = true")

    # The spinning node's load shows up (sampled every second, the page polled every 2 s).
    wait(d, "the busy node's CPU in the load table",
         lambda d: float(d.find_element(By.CSS_SELECTOR, 'tr.load-row[data-instance="1"] td.cpu').get_attribute("data-cpu")) > 0)
    check(d.find_elements(By.CSS_SELECTOR, 'tr.load-row[data-instance="1"] svg.spark.cpu polyline'), "a CPU sparkline")
    check("CPU" in tile(d, 1).text, f"the running tile says its CPU: {tile(d, 1).text}")
    check(int(text(d, "#counter-running-nodes")) == 3, "the header counts the running nodes (2 here, 1 of the other job)")
    shot(d, "live-job")

    open_gate(FIX["gate"])
    wait(d, "node 0's tile to turn Finished", lambda d: tile(d, 0).get_attribute("data-state") == "Finished")
    wait(d, "node 0's last log line", lambda d: "Saved: 'frame_0001.png'" in text(d, 'pre.node-log[data-instance="0"][data-stream="stdout"]'))
    wait(d, "node 0's worker log to grow",
         lambda d: "process exited with code 0" in text(d, 'pre.node-log[data-instance="0"][data-stream="worker"]'))
    worker_after = text(d, 'pre.node-log[data-instance="0"][data-stream="worker"]')
    check(len(worker_after) > len(worker_before) and "uploaded stdout log" in worker_after, f"the worker log grew: {worker_after}")
    wait(d, "the job to finish", lambda d: text(d, "#job-state") == "Finished" and "2/2 (100%)" in text(d, "#job-progress"))
    wait(d, "the list view to say Finished twice",
         lambda d: [r.find_elements(By.TAG_NAME, "td")[4].text for r in d.find_elements(By.CSS_SELECTOR, "tr.instance-row")] == ["Finished", "Finished"])
    # The other job's node still runs: the header counts it alone now.
    wait(d, "the header's running nodes to drop to 1", lambda d: int(text(d, "#counter-running-nodes")) == 1)
    check(d.execute_script("return window.bcopsSamePage === true"), "all of it without a reload")
    check(int(d.execute_script("return Number(document.body.dataset.liveUpdates || 0)")) > 0, "live.js polled")
    check(text(d, "#live-status").startswith("live"), "the header says the page is live")
    check(d.execute_script("return document.body.getAttribute('data-poll')") == "5", "an ended job is polled slowly")


def live_node_page(d):
    node = f"/ui/jobs/{FIX['nodeJob']}/nodes/t/0"
    d.get(UI + node)
    check(text(d, "#node-state") == "Running", "the node runs")
    before = text(d, "pre#log-worker")
    check("starting" in before, f"its worker log: {before}")
    wait(d, "the node's load", lambda d: d.find_elements(By.CSS_SELECTOR, "tr.load-row svg.spark.mem"))
    shot(d, "node")
    d.execute_script("window.bcopsSamePage = true")
    open_gate(FIX["nodeGate"])
    wait(d, "the node's worker log to say it finished", lambda d: "finished" in text(d, "pre#log-worker").splitlines()[-1])
    wait(d, "the node's stdout", lambda d: "node done" in text(d, "pre#log-stdout"))
    wait(d, "the node's state", lambda d: text(d, "#node-state") == "Finished")
    check(d.execute_script("return window.bcopsSamePage === true"), "the node page changed without a reload")


def without_javascript():
    d = chrome(javascript=False)
    try:
        d.get(UI + "/ui/jobs/" + FIX["job"])
        check(len(d.find_elements(By.CSS_SELECTOR, "div.node-tile")) == 2, "tiles without JavaScript")
        check(text(d, "#job-state") == "Finished", "the state without JavaScript")
        check("Saved:" in text(d, 'pre.node-log[data-instance="0"][data-stream="stdout"]'), "logs without JavaScript")
        check("process exited with code 0" in text(d, 'pre.node-log[data-instance="0"][data-stream="worker"]'), "the worker log without JavaScript")
        check(not d.find_elements(By.ID, "live-status"), "JavaScript is off: live.js did not run")
        d.get(UI + f"/ui/jobs/{FIX['nodeJob']}/nodes/t/0")
        check("node done" in text(d, "pre#log-stdout") and text(d, "#node-state") == "Finished", "a node page without JavaScript")
        d.get(UI + "/ui/rendering")
        check(text(d, "#counter-running-jobs").isdigit(), "the counters without JavaScript")
    finally:
        d.quit()


def main():
    d = chrome()
    try:
        live_job_page(d)
        live_node_page(d)
    finally:
        d.quit()
    without_javascript()


if __name__ == "__main__":
    run_script("live browser", main)
