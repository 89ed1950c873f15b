"""The explorer in a real JupyterLab: started on loopback with a token, opened in headless
Chromium, every cell run; a click on a status-matrix cell shows its fragments. A screenshot is
left in the test's folder (werkbank.png) for review."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import browser_available, require

from basisop.io.study import PROJECT_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TOKEN = "basisop-werkbank-test"
CELL_TITLE = "Hi – Informatiepositie van de gemeente"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def lab(tmp_path) -> Iterator[str]:
    """JupyterLab on a copy of the notebooks (autosave must not touch the stored ones)."""
    require(browser_available(), "chromium and chromedriver are not installed")
    root = tmp_path / "notebooks"
    shutil.copytree(PROJECT_ROOT / "notebooks", root)
    port = _free_port()
    env = {**os.environ, "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={TOKEN}",
         f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
         *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI containers run as root
        env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "lab.log").open("wb"))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "lab.log").read_text()
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_explorer_in_jupyterlab(lab, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1400,1000", f"--user-data-dir={tmp_path / 'profiel'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options,
                              service=Service(executable_path=shutil.which("chromedriver")))
    try:
        wait = WebDriverWait(driver, 240)
        driver.get(f"{lab}/lab/tree/verkennen.ipynb?token={TOKEN}")
        wait.until(lambda d: d.execute_script(
            "return !!(window.jupyterapp && document.querySelector('.jp-Notebook')"
            " && document.querySelector('.jp-Notebook-ExecutionIndicator, .jp-Toolbar'))"))
        wait.until(lambda d: d.execute_script(
            "const k = window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel;"
            "return !!k && k.status === 'idle';"))
        driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        cell = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR,
                                                    f"button[title='{CELL_TITLE}']"))[0]
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
        cell.click()
        wait.until(lambda d: "Oordeel analist" in d.find_element(By.TAG_NAME, "body").text)
        fragments = driver.find_element(By.CSS_SELECTOR, ".bo-verkenner").text
        assert "9 fragmenten" in fragments
        assert ("De politie en andere partners geven aan dat zij meer gedetailleerde informatie "
                "nodig hebben om effectief te kunnen handelen.") in fragments
        driver.execute_script(
            "document.querySelector('.bo-verkenner').scrollIntoView({block: 'start'})")
        time.sleep(1)
        driver.save_screenshot(str(tmp_path / "werkbank.png"))
        # The what-if: the first select offering "zoals vastgelegd" is its oordeel.
        what = next(e for e in driver.find_elements(By.TAG_NAME, "select")
                    if "zoals vastgelegd" in e.text)
        Select(what).select_by_visible_text("groen")
        wait.until(lambda d: "Laag tot Hoog" in d.find_element(By.TAG_NAME, "body").text)
        heading = next(e for e in driver.find_elements(By.TAG_NAME, "h4")
                       if e.text.startswith("Hilversum"))
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", heading)
        time.sleep(1)
        driver.save_screenshot(str(tmp_path / "werkbank-wat-als.png"))
    finally:
        driver.quit()
