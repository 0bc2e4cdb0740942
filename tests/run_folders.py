"""Build run folders in the layout `verilogeval run` writes, for the report tests.

A run is described by outcome strings, one character per sample as in summary.txt:
`.` pass, an official failure code, or `?` for a sample that has no result line yet.
"""

from __future__ import annotations

import json
from pathlib import Path

RESPONSE = "[BEGIN]\nmodule TopModule(output out);\n  assign out = 1'b0;\nendmodule\n[DONE]"
SAMPLE = "module TopModule(output out);\n  assign out = 1'b0;\nendmodule\n"
LOGS = {
    ".": "Hint: Output 'out' has no mismatches.\nMismatches: 0 in 20 samples\n",
    "S": "{sv}:2: syntax error\nI give up.\n",
    "R": "Hint: Output 'out' has 5 mismatches. First mismatch occurred at time 40.\n"
    "Mismatches: 5 in 20 samples\n",
}
NAMES = {".": "pass", "S": "syntax error", "R": "runtime mismatch", "T": "timeout"}


def jsonl_lines(path: Path) -> list[dict]:
    """The records of a JSONL file a run wrote; none if it was never written."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_run(
    folder: Path,
    outcomes: dict[str, str],
    *,
    model: str = "oracle",
    task: str = "spec-to-rtl",
    seed: int | None = 0,
    temperature: float = 0.0,
    shots: int = 0,
    rules: bool = False,
    strict: dict[str, str] | None = None,
    cost: float | None = 0.001,
    manifest: bool = True,
    generations: bool = True,
) -> Path:
    """Write `folder`; `strict` gives per problem a string of 'y'/'n' for strict_passed."""
    folder.mkdir(parents=True)
    n = max(len(codes) for codes in outcomes.values())
    if manifest:
        (folder / "run.json").write_text(
            json.dumps(_manifest(model, task, outcomes, n, seed, temperature, shots, rules))
        )
    prompts, gens, results = [], [], []
    for number, (problem, codes) in enumerate(outcomes.items(), start=1):
        prompts.append(
            {
                "problem": problem,
                "task": task,
                "shots": shots,
                "rules": rules,
                "explain": False,
                "style": "official-v2",
                "system": "You are a Verilog RTL designer.",
                "user": f"Question:\nImplement {problem} <with> & markup.\n\nAnswer:\n",
            }
        )
        for sample, code in enumerate(codes, start=1):
            if code == "?":
                continue
            gens.append(
                {
                    "problem": problem,
                    "sample": sample,
                    "response": RESPONSE,
                    "usage": {"prompt_tokens": 100 + number, "completion_tokens": 40},
                    "cost": cost,
                    "error": None,
                    "latency_s": 1.5,
                    "finish_reason": "stop",
                    "model": model,
                    "cached": False,
                }
            )
            results.append(_result(folder, problem, sample, code, strict))
    if generations:
        _write_lines(folder / "prompts.jsonl", prompts)
        _write_lines(folder / "generations.jsonl", gens)
    _write_lines(folder / "results.jsonl", results)
    return folder


def _manifest(model, task, outcomes, n, seed, temperature, shots, rules) -> dict:
    return {
        "schema_version": 1,
        "verilogeval_version": "0.1.0",
        "command": f"verilogeval run --model {model}",
        "model": model,
        "api_base": None,
        "task": task,
        "dataset": {"path": "dataset", "hash": "ab12", "official": False},
        "problems": list(outcomes),
        "prompt": {"style": "official-v2", "shots": shots, "rules": rules, "explain": False},
        "sampling": {
            "n": n,
            "temperature": temperature,
            "top_p": 0.95,
            "max_tokens": 1024,
            "seed": seed,
            "preset": None,
        },
        "extract_mode": "official",
        "simulator": {"version": "Icarus Verilog version 11.0 (stable)", "timeout_s": 30.0},
        "packages": {},
        "git_revision": None,
        "started_at": "2026-01-01T00:00:00+00:00",
        "finished_at": "2026-01-01T00:05:00+00:00",
    }


def _result(folder: Path, problem: str, sample: int, code: str, strict) -> dict:
    sv = folder / problem / f"{problem}_sample{sample:02}.sv"
    sv.parent.mkdir(exist_ok=True)
    sv.write_text(SAMPLE)
    log = LOGS.get(code, "error: something else\n").format(sv=sv.name)
    sv.with_name(f"{problem}_sample{sample:02}-sv-iv-test.log").write_text(log)
    result = {
        "problem": problem,
        "sample": sample,
        "category": code,
        "category_name": NAMES.get(code, "other"),
        "passed": code == ".",
        "mismatches": {".": 0, "R": 5}.get(code),
        "total": 20 if code in ".R" else None,
        "first_error": None if code in ".R" else log.splitlines()[0],
        "outputs": [{"output": "out", "mismatches": 5, "first_time": 40}] if code == "R" else [],
        "code_sha256": "0" * 64,
    }
    if strict is not None:
        result["strict_passed"] = strict[problem][sample - 1] == "y"
    return result


def _write_lines(path: Path, lines: list[dict]) -> None:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
