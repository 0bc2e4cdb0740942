"""The HTML report renders in headless Chromium without a console message."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pytest
from run_folders import write_run

from verilogeval.cli.entry import main

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


# Sort run one's problem table by "passed", both ways, and the leaderboard by run (it lists
# run two first: its pass@1 is higher).
SORT_SCRIPT = """
(function () {
  function column(table, index) {
    return Array.from(table.tBodies[0].rows).map(function (row) {
      return row.cells[index].getAttribute("data-sort") || row.cells[index].textContent;
    });
  }
  var problems = document.querySelectorAll("section.run table.sortable")[1];  // run "one"
  var passed = problems.tHead.rows[0].cells[1];
  passed.click();
  var ascending = column(problems, 1);
  passed.click();
  var descending = column(problems, 1);
  var board = document.querySelector("#leaderboard table");
  board.tHead.rows[0].cells[2].click();
  return {ascending: ascending, descending: descending, state: passed.getAttribute("aria-sort"),
          runs: column(board, 2)};
})()
"""


def test_tables_sort_when_a_header_is_clicked(report_pages, tmp_path):
    result = _evaluate_in_page(report_pages[1], SORT_SCRIPT, tmp_path / "profile")
    assert result["ascending"] == ["0", "0", "3", "5"]
    assert result["descending"] == ["5", "3", "0", "0"]
    assert result["state"] == "descending"
    assert [Path(run).name for run in result["runs"]] == ["one", "two"]


def _evaluate_in_page(page: Path, expression: str, profile: Path, width: int = 1400) -> Any:
    """The value of a JavaScript expression in `page` once loaded (DevTools protocol), in a
    window `width` pixels wide, as JSON decodes it."""
    browser = subprocess.Popen(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--window-size={width},1000",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.is_file() or not port_file.read_text().strip():
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=30) as answer:
            targets = json.load(answer)
        socket_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        return asyncio.run(asyncio.wait_for(_evaluate(socket_url, page, expression), 60))
    finally:
        browser.terminate()
        browser.wait(timeout=30)


async def _evaluate(socket_url: str, page: Path, expression: str) -> object:
    import aiohttp  # installed with litellm; a plain websocket client is all that is needed

    async with aiohttp.ClientSession() as session, session.ws_connect(socket_url) as socket:

        async def until(predicate):
            while not predicate(message := await socket.receive_json()):
                pass
            return message

        await socket.send_json({"id": 1, "method": "Page.enable", "params": {}})
        await until(lambda message: message.get("id") == 1)
        await socket.send_json(
            {"id": 2, "method": "Page.navigate", "params": {"url": page.as_uri()}}
        )
        await until(lambda message: message.get("method") == "Page.loadEventFired")
        await socket.send_json(
            {
                "id": 3,
                "method": "Runtime.evaluate",
                "params": {"expression": expression.strip(), "returnByValue": True},
            }
        )
        answer = (await until(lambda message: message.get("id") == 3))["result"]
        assert "exceptionDetails" not in answer, answer["exceptionDetails"]
        return answer["result"]["value"]


# --- what the page shows: names, columns that hold something, rejections, links --------


def _checked_run(folder: Path) -> Path:
    """A run whose first passing sample --strict rejected and --formal disproved, with its
    waveforms on disk, as a run with --strict --formal --waves leaves them."""
    from verilogeval.checks.formal.result import Counterexample, FormalResult, FormalStatus
    from verilogeval.checks.strict.result import FirstMismatch, StrictResult, StrictStatus

    run = write_run(folder, {"Prob001_zero": ".."}, strict={"Prob001_zero": "ny"})
    results = [json.loads(line) for line in (run / "results.jsonl").read_text().splitlines()]
    first = FirstMismatch(-1, "after input change", 5.0, "out", "0", "1", {})
    strict = StrictResult("Prob001_zero", 1, StrictStatus.MISMATCH, first_mismatch=first)
    vcd = "Prob001_zero/Prob001_zero_sample01-formal.vcd"
    example = Counterexample(({"in": "1"},), 0, "out", "0", "1")
    formal = FormalResult("Prob001_zero", 1, FormalStatus.DISPROVED, 1, 0.5, None, example, vcd)
    results[0] |= {"strict": strict.to_json(), "formal": formal.to_json()}
    results[1] |= {"formal": replace(formal, status=FormalStatus.PROVEN, vcd=None).to_json()}
    (run / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in results))
    (run / vcd).write_text("$enddefinitions $end\n")
    (run / "Prob001_zero" / "Prob001_zero_sample02.vcd").write_text("$enddefinitions $end\n")
    return run


def test_the_page_lists_strict_rejections_and_links_waveforms(tmp_path):
    from verilogeval.reporting.html import render_html
    from verilogeval.reporting.leaderboard import leaderboard
    from verilogeval.reporting.runs import load_run

    run = _checked_run(tmp_path / "runs" / "checked")
    page = render_html(leaderboard([load_run(str(run))], (1,)), (1,))
    assert "rejected by the differential test (--strict) (1)" in page
    assert (
        '<a href="#r1-Prob001_zero">Prob001_zero</a> sample 1: mismatch: right after reset '
        "(after input change, 5 ns): out ref=0 dut=1</li>"
    ) in page
    formal_vcd = (run / "Prob001_zero" / "Prob001_zero_sample01-formal.vcd").as_uri()
    assert f'<a href="{formal_vcd}">waveform (VCD)</a>' in page  # the false pass's
    assert f'<a href="{formal_vcd}">Prob001_zero_sample01-formal.vcd</a>' in page  # drill-down
    waves = (run / "Prob001_zero" / "Prob001_zero_sample02.vcd").as_uri()
    assert f'<dt>waveform (--waves)</dt><dd><a href="{waves}">' in page


def test_columns_no_run_can_fill_are_left_out_and_runs_go_by_name(report_pages):
    page = report_pages[1].read_text()
    board = page[page.index('id="leaderboard"') : page.index('id="categories"')]
    assert "<th>pass@1 % [95% CI]</th><th>pass@5 % [95% CI]</th><th>official %</th>" in board
    assert "pass@10" not in board.replace("Not shown: pass@10", "")  # n = 5 for both runs
    assert "Not shown: pass@10, which no run can estimate" in board
    one = report_pages[0].parent / "one"
    assert f'<td class="run" title="{one}">one</td>' in board
    categories = page[page.index('id="categories"') : page.index('id="heatmap"')]
    assert "<th>two</th><th>one</th>" in categories and str(one) not in categories


def test_run_labels_are_folder_names_told_apart_by_their_parents(tmp_path):
    from types import SimpleNamespace

    from verilogeval.reporting.plots import _wrapped
    from verilogeval.reporting.runs import Run, run_labels

    folders = ["runs/a/gpt-4o_x", "runs/b/gpt-4o_x", "other"]
    # run_labels reads only each run's folder: a stand-in with just that is a Run to it
    labels = run_labels(cast(list[Run], [SimpleNamespace(folder=folder) for folder in folders]))
    assert labels == ["a/gpt-4o_x", "b/gpt-4o_x", "other"]
    name = "claude-3.5-sonnet_spec-to-rtl_official-v2_1shot_rules_n20_t0.8"
    wrapped = _wrapped(name)
    assert wrapped.replace("\n", "") == name  # never clipped
    assert max(len(line) for line in wrapped.splitlines()) <= 22


def test_the_heatmap_of_156_problems_stands_in_panels_with_every_name():
    import pandas as pd

    from verilogeval.reporting.plots import HEATMAP_ROWS, heatmap

    names = [f"Prob{number:03}_problem" for number in range(1, 157)]
    rates = pd.DataFrame({"run-a": [0.5] * 156, "run-b": [1.0] * 156}, index=names)
    figure = heatmap(rates)
    panels = [axes for axes in figure.axes if axes.get_label() != "<colorbar>"]
    assert len(panels) == 4
    shown = [tick.get_text() for axes in panels for tick in axes.get_yticklabels()]
    assert shown == names
    assert all(len(axes.get_yticklabels()) <= HEATMAP_ROWS for axes in panels)


# How wide the leaderboard is against its box, and whether the page itself scrolls sideways.
WIDTHS = """
(function () {
  var box = document.querySelector("#leaderboard div.wide");
  return {table: box.querySelector("table").scrollWidth, box: box.clientWidth,
          page: document.documentElement.scrollWidth, window: window.innerWidth};
})()
"""


@pytest.mark.parametrize("width", [1400, 1000])
def test_the_leaderboard_fits_the_window(report_pages, tmp_path, width):
    # The runs' folders are long temporary paths: the old page showed them whole, with a
    # pass@10 column of "-" beside them, and ran off a 1,400 px window.
    sizes = _evaluate_in_page(report_pages[1], WIDTHS, tmp_path / "profile", width)
    assert sizes["page"] <= sizes["window"]  # only the table's own box may scroll
    if width == 1400:
        assert sizes["table"] <= sizes["box"], sizes
