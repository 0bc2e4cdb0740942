"""`verilogeval prompt`: show the exact messages a model would get, without calling one.

`--format json` prints one object per line, `{"problem", "task", "shots", "rules",
"explain", "system", "user"}`: a contract that outside scripts read.
"""

from __future__ import annotations

import argparse
import json

from verilogeval.cli.commands.options import (
    add_dataset_options,
    add_prompt_options,
    benchmark_from_args,
    prompt_config_from_args,
)
from verilogeval.dataset.loader import load_dataset, select_problems
from verilogeval.prompting.builder import build_prompt
from verilogeval.records import Prompt
from verilogeval.wording import plural

EXAMPLES = """
verilogeval prompt --dataset ../verilog-eval Prob001_zero --shots 1 --rules
verilogeval prompt --dataset ../verilog-eval --format json > prompts.jsonl
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_dataset_options(parser, problems=False)
    add_prompt_options(parser)
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for a person (default) or JSON Lines for scripts",
    )
    parser.add_argument(
        "problem",
        nargs="*",
        metavar="PROBLEM",
        help="names, globs or number ranges as for --problems (default: every problem)",
    )


def run(args: argparse.Namespace) -> int:
    dataset = load_dataset(args.dataset, args.task, benchmark_from_args(args))
    problems = select_problems(dataset.problems, ",".join(args.problem))
    config = prompt_config_from_args(args, dataset)
    show = _as_json if args.format == "json" else _as_text
    for problem in problems:
        print(show(build_prompt(dataset, problem, config)))
    return 0


def _as_json(prompt: Prompt) -> str:
    return json.dumps(
        {
            "problem": prompt.problem,
            "task": str(prompt.task),
            "shots": prompt.shots,
            "rules": prompt.rules,
            "explain": prompt.explain,
            "system": prompt.system,
            "user": prompt.user,
        }
    )


def _as_text(prompt: Prompt) -> str:
    settings = f"{prompt.task}, {prompt.style}, {plural(prompt.shots, 'shot')}"
    settings += ", rules" if prompt.rules else ""
    settings += ", explain" if prompt.explain else ""
    return "\n".join(
        [
            f"=== {prompt.problem} ({settings})",
            "--- system",
            prompt.system,
            "--- user",
            prompt.user,
        ]
    )
