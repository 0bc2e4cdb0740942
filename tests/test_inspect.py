"""VerilogEval in Inspect AI (the `inspect` extra), with real Inspect: no mock of it.

One Inspect eval (Inspect's mockllm model answering scripted answers, 3 problems x 2
epochs) serves several tests; the same answers are graded natively (`run --model
replay:`) to compare with.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fake_openai_server import FakeOpenAIServer, ToolCall
from problems import reference_answer

from verilogeval.cli.entry import main
from verilogeval.dataset.loader import load_dataset
from verilogeval.feedback.compiler_messages import COMPILER_WORDS
from verilogeval.grading.classify import classify
from verilogeval.grading.simulate import simulate
from verilogeval.prompting.builder import PromptConfig, build_prompt, default_style
from verilogeval.records import Sample, Task
from verilogeval.resources import resource_dir

inspect_ai = pytest.importorskip("inspect_ai")

from inspect_ai import eval as inspect_eval  # noqa: E402
from inspect_ai.log import EvalLog, read_eval_log  # noqa: E402
from inspect_ai.model import ChatMessage, ModelOutput, ModelUsage, get_model  # noqa: E402
from inspect_ai.scorer import SampleScore, Score  # noqa: E402

from verilogeval.feedback.levels import FeedbackLevel  # noqa: E402
from verilogeval.inspect_tasks.agent import INSTRUCTIONS  # noqa: E402
from verilogeval.inspect_tasks.scorer import pass_at  # noqa: E402
from verilogeval.inspect_tasks.tasks import (  # noqa: E402
    samples,
    spec_to_rtl,
    spec_to_rtl_agent,
    task_setup,
)
from verilogeval.inspect_tasks.tools import (  # noqa: E402
    COMPILES,
    PASSES,
    ToolContext,
    compile_feedback,
    simulate_feedback,
)

PROBLEMS = "1-3"


@dataclass(frozen=True)
class Said:
    returncode: int
    stdout: str
    stderr: str


def verilogeval(*args: object) -> Said:
    """`verilogeval ARGS` in this process (the CLI's own main): no interpreter to start."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(arg) for arg in args])
    return Said(code, out.getvalue(), err.getvalue())


def test_verilogeval_never_imports_inspect_without_being_asked() -> None:
    script = (
        "import sys, contextlib, io\n"
        "import verilogeval, verilogeval.cli.entry\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    verilogeval.cli.entry.main(['--help'])\n"
        "    for name in verilogeval.cli.entry.COMMANDS:\n"
        "        verilogeval.cli.entry.build_parser(name)\n"
        "assert 'inspect_ai' not in sys.modules, 'inspect_ai imported'\n"
        "print('clean')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.strip() == "clean", done.stderr


def _prompt_cases() -> list[Any]:
    embedded = [
        (Task.SPEC_TO_RTL, 0, False, False),
        (Task.SPEC_TO_RTL, 2, True, False),
        (Task.CODE_COMPLETE, 1, False, False),
    ]
    official = [(Task.SPEC_TO_RTL, 1, True, True), (Task.CODE_COMPLETE, 1, False, True)]
    return [*embedded, *(pytest.param(*case, marks=pytest.mark.shared) for case in official)]


@pytest.mark.parametrize(("task", "shots", "rules", "official"), _prompt_cases())
def test_sample_messages_are_those_verilogeval_prompt_prints(
    request, task: Task, shots: int, rules: bool, official: bool
) -> None:
    """Every problem, embedded and official: the system and user messages, byte for byte."""
    root = request.getfixturevalue("official_root") if official else None
    flags = ["--shots", str(shots), *(["--rules"] if rules else [])]
    flags += ["--dataset", str(root)] if root else []
    printed = verilogeval("prompt", "--task", str(task), "--format", "json", *flags)
    assert printed.returncode == 0, printed.stderr
    expected = {
        line["problem"]: (line["system"], line["user"])
        for line in map(json.loads, printed.stdout.splitlines())
    }
    setup = task_setup(
        task,
        dataset=None if root is None else str(root),
        problems=None,
        shots=shots,
        rules=rules,
        prompt_style=None,
        extract=None,
        benchmark="v2.0",
        preset="greedy",
        plus=False,
        formal=False,
    )
    dataset = samples(setup)
    assert len(dataset) == len(expected) >= (150 if official else 15)
    for sample in dataset:
        assert isinstance(sample.input, list)
        system, user = sample.input
        assert (system.role, user.role) == ("system", "user")
        assert (system.text, user.text) == expected[str(sample.id)]


def _answers() -> dict[str, list[str]]:
    """Per problem, the answer of its first and second request: pass, mismatch, compile
    error, no code."""
    dataset = load_dataset(None, Task.SPEC_TO_RTL)
    first, second, third = dataset.problems[:3]
    right = reference_answer(first)
    assert "3'd3" in right
    wrong = right.replace("3'd3", "3'd2")  # a majority of two: mismatches
    return {
        first.name: [wrong, right],
        second.name: ["module TopModule(); endmodule", reference_answer(second)],
        third.name: [reference_answer(third), "Sorry, no idea."],
    }


class ScriptedAnswers:
    """mockllm's custom outputs: each problem's answers in turn, as [BEGIN]..[DONE]."""

    def __init__(self) -> None:
        dataset = load_dataset(None, Task.SPEC_TO_RTL)
        config = PromptConfig(style=default_style(dataset))
        self.answers = _answers()
        self.by_prompt = {
            build_prompt(dataset, problem, config).user: problem.name
            for problem in dataset.problems
            if problem.name in self.answers
        }
        self.asked: Counter[str] = Counter()

    def __call__(self, messages: list[ChatMessage], *_: Any) -> ModelOutput:
        problem = self.by_prompt[messages[-1].text]
        answer = self.answers[problem][self.asked[problem]]
        self.asked[problem] += 1
        output = ModelOutput.from_content("mockllm/model", f"[BEGIN]\n{answer}\n[DONE]\n")
        output.usage = ModelUsage(input_tokens=100, output_tokens=20, total_tokens=120)
        return output


@pytest.fixture(scope="module")
def mock_log(tmp_path_factory) -> tuple[EvalLog, Path]:
    logs = tmp_path_factory.mktemp("inspect-logs")
    model = get_model("mockllm/model", custom_outputs=ScriptedAnswers())
    (log,) = inspect_eval(
        spec_to_rtl(problems=PROBLEMS),
        model=model,
        epochs=2,
        display="none",
        log_dir=str(logs),
    )
    assert log.status == "success", log.error
    assert log.location
    return log, Path(log.location)


def _answers_file(log: EvalLog, path: Path) -> Path:
    """The log's answers as a replay file: the same answers for a native run."""
    assert log.samples
    lines = [
        {"problem": s.id, "sample": s.epoch, "response": s.output.completion} for s in log.samples
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


@pytest.fixture(scope="module")
def native_run(mock_log, tmp_path_factory) -> Path:
    """The same answers, graded by `verilogeval run --model replay:`."""
    log, _ = mock_log
    folder = tmp_path_factory.mktemp("native")
    answers = _answers_file(log, folder / "answers.jsonl")
    out = folder / "run"
    run = ["run", "--model", f"replay:{answers}", "--out", str(out), "--problems", PROBLEMS]
    done = subprocess.run(
        [sys.executable, "-m", "verilogeval", *run, "--samples", "2", "--quiet"],
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr  # 1: some samples failed
    return out


def _native_lines(folder: Path) -> dict[tuple[str, int], dict]:
    lines = [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines()]
    return {(line["problem"], line["sample"]): line for line in lines}


@pytest.mark.icarus
@pytest.mark.slow  # the module's Inspect eval and native run
def test_mockllm_eval_is_graded_by_verilogeval(mock_log) -> None:
    log, _ = mock_log
    assert log.samples is not None
    assert sorted(str(s.id) for s in log.samples) == sorted(2 * list(_answers()))
    categories: Counter[str] = Counter()
    for sample in log.samples:
        score = sample.scores["verilog_grader"]
        assert score.metadata is not None
        assert (score.metadata["problem"], score.metadata["sample"]) == (sample.id, sample.epoch)
        assert score.value == ("C" if score.metadata["passed"] else "I")
        assert score.explanation.startswith(score.metadata["category_name"])
        assert "module TopModule" in (score.answer or "") or score.metadata["response_issue"]
        categories[score.metadata["category"]] += 1
    assert categories == {".": 3, "R": 1, "C": 1, "S": 1}
    assert log.results is not None
    metrics = {name: m.value for s in log.results.scores for name, m in s.metrics.items()}
    assert metrics["accuracy"] == pytest.approx(0.5)
    assert metrics["pass@1"] == pytest.approx(0.5)


@pytest.mark.icarus
@pytest.mark.slow  # the module's Inspect eval and native run
def test_scorer_and_native_run_give_identical_verdicts(mock_log, native_run) -> None:
    log, _ = mock_log
    native = _native_lines(native_run)
    assert log.samples
    scored = {(str(s.id), s.epoch): s.scores["verilog_grader"].metadata for s in log.samples}
    assert scored.keys() == native.keys()
    for key, record in scored.items():
        assert record is not None
        mine = {k: v for k, v in record.items() if k != "simulated"}
        theirs = {k: v for k, v in native[key].items() if k != "simulated"}
        assert mine == theirs, key


def _leaderboard(*folders: Path) -> list[dict]:
    done = verilogeval("leaderboard", *folders, "--format", "json", "-k", "1,2")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# What the leaderboard says of how a run was graded and what it scored (not its name,
# model or token counts: those are the folder's and the model's).
_NUMBERS = ("pass@1", "pass@1_ci", "pass@2", "official_pass_rate", "gini_simpson", "problems")


@pytest.mark.icarus
@pytest.mark.slow  # the module's Inspect eval and native run
def test_imported_log_is_on_the_leaderboard_with_the_native_numbers(
    mock_log, native_run, tmp_path
) -> None:
    _, log_path = mock_log
    imported = tmp_path / "imported"
    done = verilogeval("import-inspect", log_path, "--out", imported)
    assert done.returncode == 0, done.stderr
    assert "6 samples imported, 6 with a verdict" in done.stdout
    native, mine = _leaderboard(native_run, imported)
    if native["run"] != str(native_run):
        native, mine = mine, native
    assert {key: mine[key] for key in _NUMBERS} == {key: native[key] for key in _NUMBERS}
    assert mine["model"] == "mockllm/model"
    assert (mine["n"], mine["task"], mine["style"], mine["shots"]) == (
        native["n"],
        native["task"],
        native["style"],
        native["shots"],
    )
    # summary.txt's problem rows as sv-iv-analyze writes them, tokens aside (none replayed)
    rows = [
        [row.split()[:3] + row.split()[4:] for row in (folder / "summary.txt").open()]
        for folder in (imported, native_run)
    ]
    rows = [[row for row in table if row and row[0].startswith("Prob")] for table in rows]
    assert len(rows[0]) == 3
    assert rows[0] == rows[1]
    again = verilogeval("import-inspect", log_path, "--out", imported)
    assert again.returncode == 2
    assert again.stderr.strip().endswith("not empty; import into a new folder")


def test_import_refuses_what_is_not_a_log_of_its_tasks(tmp_path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"not": "a log"}')
    done = verilogeval("import-inspect", bogus, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr.startswith(f"verilogeval import-inspect: error: {bogus}: not an Inspect log")
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.icarus
@pytest.mark.slow  # the module's Inspect eval and native run
def test_exported_run_reads_back_as_an_inspect_log(native_run, tmp_path) -> None:
    out = tmp_path / "native.eval"
    done = verilogeval("export-inspect", native_run, "--out", out)
    assert done.returncode == 0, done.stderr
    log = read_eval_log(str(out))
    native = _native_lines(native_run)
    assert log.samples is not None
    assert {(str(s.id), s.epoch) for s in log.samples} == native.keys()
    for sample in log.samples:
        score = (sample.scores or {})["verilog_grader"]
        assert score.metadata == native[(str(sample.id), sample.epoch)]
        assert score.value == ("C" if score.metadata["passed"] else "I")
        assert sample.output.completion
    assert log.results is not None
    (scores,) = log.results.scores
    assert scores.metrics["pass@1"].value == pytest.approx(0.5)
    # and back: the exported log imports into a folder with the same numbers
    back = tmp_path / "back"
    assert verilogeval("import-inspect", out, "--out", back).returncode == 0
    native_row, back_row = _leaderboard(native_run, back)
    assert {key: back_row[key] for key in _NUMBERS} == {key: native_row[key] for key in _NUMBERS}


def _problem_of(body: dict[str, Any], prompts: dict[str, str]) -> str:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return prompts[user]


@pytest.fixture
def openai_key(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")  # the loopback server takes any


@pytest.mark.icarus
@pytest.mark.slow
def test_openai_provider_against_a_loopback_server(openai_key, tmp_path) -> None:
    """Inspect's own openai provider, real HTTP: the native prompts and sampling are sent."""
    dataset = load_dataset(None, Task.SPEC_TO_RTL)
    first, second = dataset.problems[:2]
    config = PromptConfig(style=default_style(dataset))
    prompts = {build_prompt(dataset, p, config).user: p.name for p in (first, second)}
    answers = {first.name: reference_answer(first), second.name: "module TopModule(); endmodule"}

    def reply(body: dict[str, Any]) -> str:
        return f"[BEGIN]\n{answers[_problem_of(body, prompts)]}\n[DONE]\n"

    with FakeOpenAIServer(reply=reply) as server:
        (log,) = inspect_eval(
            spec_to_rtl(problems="1-2"),
            model="openai/gpt-4o",  # a name the provider treats as a chat model
            model_base_url=server.base_url,
            model_args={"responses_api": False},  # an OpenAI-compatible server: chat API
            display="none",
            log_dir=str(tmp_path),
        )
        sent = list(server.requests)
    assert log.status == "success", log.error
    assert len(sent) == 2
    for body in sent:
        problem = dataset.problem(_problem_of(body, prompts))
        prompt = build_prompt(dataset, problem, config)
        assert [(m["role"], m["content"]) for m in body["messages"]] == [
            ("system", prompt.system),
            ("user", prompt.user),
        ]
        assert (body["temperature"], body["top_p"]) == (0.0, 0.01)
        assert body.get("max_tokens", body.get("max_completion_tokens")) == 1024
    assert log.samples
    verdicts = {s.id: (s.scores or {})["verilog_grader"].value for s in log.samples}
    assert verdicts == {first.name: "C", second.name: "I"}


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_$]*", text))


@pytest.mark.icarus
@pytest.mark.slow
def test_react_agent_with_the_tools_gets_the_graders_verdict(openai_key, tmp_path) -> None:
    """A scripted model: compile, compile, simulate, simulate, then submit. No tool output
    holds the testbench's or reference's text; the verdict is the grader's; the imported
    run says it was an agent's, and what its tools showed."""
    dataset = load_dataset(None, Task.SPEC_TO_RTL)
    problem = dataset.problems[0]
    right = reference_answer(problem)
    header = right[: right.index(");") + 2]
    calls = [
        ToolCall("verilog_compile", {"code": header + "\n  assign maj = \nendmodule\n"}),
        ToolCall("verilog_compile", {"code": header + '\n`include "test.sv"\nendmodule\n'}),
        ToolCall("verilog_simulate", {"code": right.replace("3'd3", "3'd2")}),
        ToolCall(
            "verilog_simulate",
            {
                "code": header + "\n  assign maj = 1'b0;\n"
                '  final $display("Mismatches: 0 in 164 samples");\nendmodule\n'
            },
        ),
        ToolCall("submit", {"answer": right}),
    ]

    def next_call(body: dict[str, Any]) -> ToolCall | None:
        done = sum(1 for m in body["messages"] if m["role"] == "tool")
        return calls[done] if done < len(calls) else None

    with FakeOpenAIServer(tool_calls=next_call) as server:
        (log,) = inspect_eval(
            spec_to_rtl_agent(problems=problem.name, feedback="testbench"),
            model="openai/gpt-4o",
            model_base_url=server.base_url,
            model_args={"responses_api": False},  # an OpenAI-compatible server: chat API
            display="none",
            log_dir=str(tmp_path),
        )
        tool_names = {t["function"]["name"] for t in server.requests[0].get("tools", [])}
    assert log.status == "success", log.error
    assert tool_names == {"verilog_compile", "verilog_simulate", "submit"}
    (sample,) = log.samples or []
    outputs = [m.text for m in sample.messages if m.role == "tool"]
    assert len(outputs) == len(calls) - 1
    compiled, included, wrong, forged = outputs
    assert "syntax error" in compiled and "| assign maj =" in compiled
    assert included.startswith("Your answer was refused")  # the scan reads what it includes
    assert "runtime mismatch" in wrong and "output maj" in wrong
    assert forged.startswith("Your answer was refused")
    # nothing of the oracle: no line of the testbench or reference, no name of theirs that
    # neither the prompt, the tools' own texts nor the model's code holds
    oracle = problem.ref_path.read_text() + (problem.test_path or problem.ref_path).read_text()
    public = _words(problem.prompt) | _words(INSTRUCTIONS) | COMPILER_WORDS
    public |= set().union(*(_words(p.read_text()) for p in resource_dir("prompts").rglob("*.j2")))
    public |= _words(" ".join(str(call.arguments) for call in calls)) | {"TopModule", "tb"}
    secrets = _words(oracle) - public
    for text in outputs:
        assert not _words(text) & secrets, text
        assert not [
            line.strip()
            for line in oracle.splitlines()
            if len(line.strip()) >= 10 and line.strip() in text and line.strip() not in right
        ], text
    score = (sample.scores or {})["verilog_grader"]
    graded = classify(simulate(problem, Sample(problem.name, 1, score.answer or "")))
    assert score.value == "C"
    assert score.metadata is not None
    assert score.metadata["category"] == str(graded.category) == "."
    assert log.eval.metadata is not None
    assert log.eval.metadata["agent"]["feedback"] == "testbench"
    assert log.eval.task_args["feedback"] == "testbench"
    # on the leaderboard, labelled with what its tools showed it
    assert log.location
    assert verilogeval("import-inspect", log.location, "--out", tmp_path / "run").returncode == 0
    (row,) = _leaderboard(tmp_path / "run")
    assert row["model"] == "openai/gpt-4o (react agent, feedback testbench)"


@pytest.mark.icarus
@pytest.mark.slow
def test_inspect_command_finds_the_tasks_by_their_entry_point(tmp_path) -> None:
    """`inspect eval verilogeval/spec_to_rtl`, the server from OPENAI_BASE_URL; the log
    imports into a folder the leaderboard shows under the model's name."""
    dataset = load_dataset(None, Task.SPEC_TO_RTL)
    problem = dataset.problems[0]

    def reply(body: dict[str, Any]) -> str:
        return f"[BEGIN]\n{reference_answer(problem)}\n[DONE]\n"

    logs = tmp_path / "logs"
    with FakeOpenAIServer(reply=reply) as server:
        env = os.environ | {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "test-key"}
        task = ["verilogeval/spec_to_rtl", "-T", f"problems={problem.number}"]  # YAML: a number
        settings = ["--model", "openai/gpt-4o", "--log-dir", str(logs), "--display", "none"]
        done = subprocess.run(
            [sys.executable, "-m", "inspect_ai", "eval", *task, *settings],
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        assert server.request_count == 1
    (log_path,) = logs.glob("*.eval")
    assert verilogeval("import-inspect", log_path, "--out", tmp_path / "run").returncode == 0
    (row,) = _leaderboard(tmp_path / "run")
    assert (row["model"], row["pass@1"], row["problems"]) == ("openai/gpt-4o", 1.0, 1)


@pytest.mark.icarus
@pytest.mark.shared
def test_simulate_tool_levels_add_what_their_names_say(official_root) -> None:
    """The simulate tool on an official clocked problem, level by level: the category, the
    testbench's lines, then the signal table; the compile tool stops at compiler messages."""
    setup = task_setup(
        Task.SPEC_TO_RTL,
        dataset=str(official_root),
        problems="Prob120_fsm3s",
        shots=0,
        rules=False,
        prompt_style=None,
        extract="robust",
        benchmark="v2.0",
        preset="greedy",
        plus=False,
        formal=False,
    )
    (problem,) = setup.problems
    right = reference_answer(problem)
    wrong = right.replace("C: next = in ? D : A;", "C: next = in ? D : C;")
    assert wrong != right

    def told(tool: Callable[[ToolContext, str], str], level: str, code: str) -> str:
        return tool(ToolContext(setup.grading, problem, FeedbackLevel(level)), code)

    assert told(simulate_feedback, "testbench", right) == PASSES
    assert told(compile_feedback, "waveform", wrong) == COMPILES
    pass_fail = told(simulate_feedback, "pass-fail", wrong)
    assert pass_fail.startswith("Your answer is not correct: runtime mismatch.")
    assert "Testbench results" not in pass_fail
    testbench = told(simulate_feedback, "testbench", wrong)
    assert "- output out:" in testbench and "(expected)" not in testbench
    waveform = told(simulate_feedback, "waveform", wrong)
    assert "- output out:" in waveform and "out (expected)" in waveform
    broken = told(compile_feedback, "waveform", right.replace("endmodule", ""))
    assert broken.startswith("Your answer is not correct: syntax error.")
    assert "Testbench results" not in broken


@pytest.mark.icarus
@pytest.mark.slow
def test_plus_gives_the_trusted_verdict_beside_the_official_one(tmp_path) -> None:
    """A forged verdict line passes officially (as in the official harness); -T plus=true
    fails it, in the record, the explanation and plus_pass@1."""
    dataset = load_dataset(None, Task.SPEC_TO_RTL)
    right = reference_answer(dataset.problems[0])
    forged = (
        right[: right.index(");") + 2] + "\n  assign maj = 1'b0;\n"
        '  final $display("Mismatches: 0 in 164 samples");\nendmodule\n'
    )

    def answer(*_: Any) -> ModelOutput:
        output = ModelOutput.from_content("mockllm/model", f"[BEGIN]\n{forged}\n[DONE]\n")
        output.usage = ModelUsage(input_tokens=100, output_tokens=20, total_tokens=120)
        return output

    (log,) = inspect_eval(
        spec_to_rtl(problems="1", plus=True),
        model=get_model("mockllm/model", custom_outputs=answer),
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.status == "success", log.error
    (sample,) = log.samples or []
    score = (sample.scores or {})["verilog_grader"]
    assert score.value == "C"
    assert score.metadata is not None
    assert (score.metadata["passed"], score.metadata["plus_passed"]) == (True, False)
    assert score.metadata["plus"]["tamper"]
    # each check's verdict, and why: the tamper finding is named
    assert score.explanation is not None
    assert score.explanation.startswith("pass; plus: failed (tamper: "), score.explanation
    assert log.results is not None
    metrics = {name: m.value for s in log.results.scores for name, m in s.metrics.items()}
    assert (metrics["pass@1"], metrics["plus_pass@1"]) == (1.0, 0.0)
    assert log.eval.metadata is not None
    assert set(log.eval.metadata["checks"]) == {"plus"}


def test_pass_at_metric_is_the_unbiased_estimator_over_epochs() -> None:
    """Per problem n epochs, c passing: the mean of 1 - C(n-c, k)/C(n, k), exact values."""

    def scored(problem: str, passed: list[bool]) -> list[SampleScore]:
        return [
            SampleScore(
                score=Score(value="C" if ok else "I", metadata={"passed": ok, "plus_passed": None}),
                sample_id=problem,
            )
            for ok in passed
        ]

    scores = scored("Prob001_a", [True, False, False, True, False]) + scored(
        "Prob002_b", [False] * 4 + [True]
    )

    def values(metric: Any) -> dict[str, float]:
        computed: dict[str, float] = metric(scores)
        return computed

    expected_5 = (1.0 + 1.0) / 2
    expected_1 = (2 / 5 + 1 / 5) / 2
    assert values(pass_at()) == pytest.approx({"pass@1": expected_1, "pass@5": expected_5})
    one_of = 1 - math.comb(3, 2) / math.comb(5, 2), 1 - math.comb(4, 2) / math.comb(5, 2)
    assert values(pass_at([2])) == pytest.approx({"pass@2": sum(one_of) / 2})
    assert math.isnan(values(pass_at([10]))["pass@10"])  # n < k: undefined, not 1.0
    plus = values(pass_at(verdict="plus_passed"))
    assert plus == {"plus_pass@1": 0.0, "plus_pass@5": 0.0}
