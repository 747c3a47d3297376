"""Screenshot a report page in headless Chromium (for the records beside each experiment).

    python scripts/report_screenshot.py RUN_DIR_OR_REPORT.html OUT.png [--width 1200]

Writes the page (``simlab report`` first if given a run folder or results file), opens it
from disk, and saves a PNG of the first screen. Needs ``chromium``, ``chromium-driver`` and
selenium (the ``test`` extra).
"""

import argparse
import shutil
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from simlab.render.report import report_for


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("output")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args()
    page = Path(args.source)
    if page.suffix != ".html":
        page = report_for(page)
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 f"--window-size={args.width},{args.height}", "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get(page.resolve().as_uri())
        driver.save_screenshot(args.output)
    finally:
        driver.quit()
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
