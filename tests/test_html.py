"""The HTML report renders in headless Chromium without a console message."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from run_folders import write_run

from verilogeval.cli import main

OUTCOMES = {
    "Prob001_zero": "..S.R",
    "Prob002_m2014_q4i": "RRRRR",
    "Prob003_step_one": ".....",
    "Prob082_lfsr32": "??T??",
}


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = "chromium not installed (Debian: apt-get install chromium; ./dev.sh test does it)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _chromium_run(page: Path, *flags: str) -> subprocess.CompletedProcess:
    """Headless Chromium on `page`; console messages go to stderr as 'INFO:CONSOLE' lines."""
    return subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",  # tests may run as root in a container
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1400,1800",
            *flags,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture(scope="module")
def report_pages(tmp_path_factory):
    """The page of one run (`report --html`) and of two (`leaderboard --format html`)."""
    folder = tmp_path_factory.mktemp("html")
    one = write_run(folder / "one", OUTCOMES, model="oracle", shots=1)
    two = write_run(folder / "two", dict.fromkeys(OUTCOMES, "..RR."), model="m", seed=3)
    single, several = folder / "one.html", folder / "all.html"
    assert main(["report", str(one), "--html", str(single)]) == 0
    assert main(["leaderboard", str(one), str(two), "--format", "html", "-o", str(several)]) == 0
    return single, several


def test_report_loads_in_chromium_without_console_errors(report_pages, tmp_path):
    for page in report_pages:
        screenshot = tmp_path / f"{page.stem}.png"
        done = _chromium_run(page, f"--screenshot={screenshot}")
        assert done.returncode == 0, done.stderr[-2000:]
        assert _console_messages(done.stderr) == []
        assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert screenshot.stat().st_size > 20_000  # a rendered page, not a blank one


def test_scripts_ran_and_drill_down_holds_every_stage(report_pages):
    single, several = report_pages
    done = _chromium_run(single, "--dump-dom")
    assert _console_messages(done.stderr) == []
    dom = done.stdout
    assert dom.count('tabindex="0"') >= 3 * 5  # the sort script made every header sortable
    assert 'id="r1-Prob001_zero"' in dom
    assert "Implement Prob001_zero &lt;with&gt; &amp; markup." in dom  # the prompt, escaped
    assert "[BEGIN]" in dom and "assign out = 1'b0;" in dom  # response and sample
    assert "Prob001_zero_sample03.sv:2: syntax error" in dom  # the sample's log
    assert "R runtime mismatch (5 of 20 samples mismatch)" in dom  # the verdict
    assert "? no result" in dom and "T timeout" in dom
    assert dom.count('src="data:image/png;base64,') == 1
    assert several.read_text().count('src="data:image/png;base64,') == 2  # chart and heatmap
