#!/usr/bin/env python3
"""The estate's pages in a real browser (headless Chromium driven by Selenium), issue 17.

Run by Tests/BCDashboardTests/EstateBrowserTests.swift against a real `bcctl controller
--embedded-engine --ui-listen`, which applied the manifests and made the objects described in
BCOPS_FIXTURE (JSON). The login (the controller's API token) comes in BCOPS_LOGIN_TOKEN and is
never printed. With BCOPS_SCREENSHOTS=DIR the pages are saved there as dashboard-<page>.png
(scripts/dashboard-screenshots.sh).
"""
import json
import os
import time

from selenium.webdriver.common.by import By

from dashboard_browser import check, chrome, click, no_alert, run_script, shot

UI = os.environ["BCOPS_UI"]
FIX = json.loads(os.environ["BCOPS_FIXTURE"])
def visit(d, path):
    """Opens a page and checks what every page must hold: no alert (no fixture's script ran), no
    inline script element (only the dashboard's own, by src), and the estate's links with Sync."""
    d.get(UI + path)
    no_alert(d, path)
    inline = d.execute_script("return [...document.scripts].filter(s => !s.src).length")
    check(inline == 0, f"{path}: {inline} inline script element(s)")
    nav = [a.get_attribute("href").removeprefix(UI) for a in d.find_elements(By.CSS_SELECTOR, "header nav a")]
    for link in ["/ui/images", "/ui/clusters", "/ui/apps", "/ui/sge", "/ui/workflows", "/ui/sync"]:
        check(link in nav, f"{path}: the header links to {link} ({nav})")


def texts(d, selector):
    return [e.text for e in d.find_elements(By.CSS_SELECTOR, selector)]


def run(d):
    # Images and software: the system and registered images, the custom template and its parameters.
    visit(d, "/ui/images")
    ids = [r.get_attribute("data-id") for r in d.find_elements(By.CSS_SELECTOR, "tr.image-row")]
    for want in ["img-ubuntu", "img-sge", FIX["image"]]:
        check(want in ids, f"image {want} is listed ({ids})")
    row = d.find_element(By.CSS_SELECTOR, f'tr.image-row[data-id="{FIX["image"]}"]')
    check("<script>alert(13)</script>" in row.text, "the registered image's name is text")
    software = d.find_element(By.CSS_SELECTOR, 'section.software[data-project="povray-stills"]')
    template = software.find_element(By.CSS_SELECTOR, "pre.command-template").text
    check(template.startswith("povray +I$SCENE +O$OUTPUT_LOCAL_DIR/frame.png +W$WIDTH"), f"the command template: {template}")
    variables = [r.text.split(" ")[0] for r in software.find_elements(By.CSS_SELECTOR, "tr.variable-row")]
    check(variables == ["$SCENE", "$OUTPUT_LOCAL_DIR", "$WIDTH", "$HEIGHT", "$START_FRAME", "$END_FRAME", "$CPU"], f"variables {variables}")
    params = [r.text for r in software.find_elements(By.CSS_SELECTOR, "tr.parameter-row")]
    check(params == ["HEIGHT 1080 Image height in pixels", "WIDTH 1920 Image width in pixels <script>alert(12)</script>"], f"parameters {params}")
    shot(d, "images")

    # Clusters: groups with instance type, desired and actual (the drifted farm grows to 3).
    for _ in range(50):
        visit(d, "/ui/clusters")
        workers = d.find_element(By.CSS_SELECTOR, f'section.cluster[id="{FIX["farm"]}"] tr.group-row[data-group="workers"]')
        if workers.find_element(By.CLASS_NAME, "actual").text == "3":
            break
        time.sleep(0.2)
    check(workers.text == "workers ecs.sn1.medium OnDemand 3 3", f"the workers group: {workers.text}")
    burst = d.find_element(By.CSS_SELECTOR, f'section.cluster[id="{FIX["farm"]}"] tr.group-row[data-group="burst"]')
    check(burst.text == "burst ecs.sn2.medium OnDemand 0 0", f"the burst group: {burst.text}")
    farm = d.find_element(By.CSS_SELECTOR, f'section.cluster[id="{FIX["farm"]}"]').text
    check("changed outside bcops since" in farm and "Cluster/farm in default" in farm, f"the farm's revision and owner: {farm}")
    shot(d, "clusters")

    # Apps: image and revision, a description with <script> shown as text.
    visit(d, "/ui/apps")
    web = d.find_element(By.CSS_SELECTOR, 'tr.app-row[data-app="web"]').text
    check("localhost:5000/web:1.2 (Docker)" in web and "1 (as applied)" in web and "<script>alert(10)</script> a web App" in web, f"the web App: {web}")
    stills = d.find_element(By.CSS_SELECTOR, 'tr.app-row[data-app="povray-stills"]').text
    check("RenderProject/povray-stills in default" in stills, f"the project's App: {stills}")
    shot(d, "apps")

    # SGE: the master and worker groups, every node running, the operation log.
    visit(d, "/ui/sge")
    grid = d.find_element(By.CSS_SELECTOR, f'section.sge-cluster[id="{FIX["sge"]}"]')
    groups = [r.text for r in grid.find_elements(By.CSS_SELECTOR, "tr.sge-group-row")]
    check(groups == ["default worker ecs.sn1.medium 2 2", "sgeMaster master ecs.sn1.medium 1 1"], f"SGE groups {groups}")
    nodes = [r.get_attribute("data-state") for r in grid.find_elements(By.CSS_SELECTOR, "tr.sge-node-row")]
    check(nodes == ["Running"] * 3, f"SGE nodes {nodes}")
    check("created 2 VMs" in grid.find_element(By.CSS_SELECTOR, "pre.operation-log").text, "the operation log")
    shot(d, "sge")

    # Workflow runs: the list, then the run's page with its calls.
    visit(d, "/ui/workflows")
    if FIX["workflow"]:
        row = d.find_element(By.CSS_SELECTOR, "tr.workflow-row")
        check(row.get_attribute("data-status") == "Succeeded" and "2/2" in row.text, f"the run: {row.text}")
        shot(d, "workflows")
        click(d, row.find_element(By.CSS_SELECTOR, "a"))
        check(d.current_url.endswith("/ui/workflows/" + FIX["workflow"]), f"on the run's page ({d.current_url})")
        visit(d, "/ui/workflows/" + FIX["workflow"])
        calls = [(r.find_elements(By.TAG_NAME, "td")[0].text, r.get_attribute("data-state")) for r in d.find_elements(By.CSS_SELECTOR, "tr.call-row")]
        check(calls == [("hello.first", "Done"), ("hello.second", "Done")], f"calls {calls}")
        check(d.find_element(By.ID, "run-status").text == "Succeeded", "the run succeeded")
        shot(d, "workflow-run")
    else:
        print("no miniwdl here: the workflow pages are checked empty")
        check("No workflow runs." in d.find_element(By.TAG_NAME, "main").text, "no runs listed")

    # Sync: the applied commit, the conditions, drift, history; a login with the API token and a reconcile.
    visit(d, "/ui/sync")
    applied = d.find_element(By.ID, "appliedRevision")
    check(applied.text == FIX["revision"][:12] and applied.get_attribute("title") == FIX["revision"], f"applied {applied.text}")
    ready = d.find_element(By.CSS_SELECTOR, 'tr.condition-row[data-type="Ready"]')
    check(ready.get_attribute("data-status") == "True" and "ReconciliationSucceeded" in ready.text, f"Ready: {ready.text}")
    check(texts(d, "#drift li") == ["Cluster/farm"], f"drift {texts(d, '#drift li')}")
    results = [r.get_attribute("data-result") for r in d.find_elements(By.CSS_SELECTOR, "tr.history-row")]
    check("succeeded" in results and "driftReported" in results, f"history {results}")
    check(not d.find_elements(By.ID, "reconcile"), "no reconcile button without a login")
    shot(d, "sync")
    before = len(results)
    click(d, d.find_element(By.ID, "login-link"))
    check("API token" in d.find_element(By.TAG_NAME, "main").text, "the login asks for the API token")
    d.find_element(By.NAME, "accessKeySecret").send_keys(os.environ["BCOPS_LOGIN_TOKEN"])
    click(d, d.find_element(By.ID, "login"))
    cookie = d.get_cookie("bcops_session")
    check(cookie is not None and cookie.get("httpOnly") and cookie.get("sameSite") == "Strict", "an HttpOnly, SameSite=Strict session")
    visit(d, "/ui/sync")
    click(d, d.find_element(By.ID, "reconcile"))
    check(d.current_url.endswith("/ui/sync"), f"back on the sync page ({d.current_url})")
    for _ in range(50):
        triggers = [r.find_elements(By.TAG_NAME, "td")[4].text for r in d.find_elements(By.CSS_SELECTOR, "tr.history-row")]
        if len(triggers) > before and "requested" in triggers:
            break
        time.sleep(0.2)
        visit(d, "/ui/sync")
    check("requested" in triggers, f"the reconciliation asked for is in the history ({triggers})")


def main():
    driver = chrome()
    try:
        run(driver)
    finally:
        driver.quit()


if __name__ == "__main__":
    run_script("estate browser", main)
