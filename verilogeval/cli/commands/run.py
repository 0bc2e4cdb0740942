"""`verilogeval run`: one command from model to verdicts, resumable.

Parses every option once into a RunPlan and hands it to verilogeval.orchestration.executor. Running
the same command again continues where it stopped; other parameters against the same
folder are refused.
"""

from __future__ import annotations

import argparse

from verilogeval.cli.closing import execute_plan, process_started
from verilogeval.cli.commands.options import add_run_options, run_plan_from_args
from verilogeval.cli.json_output import add_json_option, print_json, run_summary, stdout_for
from verilogeval.dataset.reference_failures import known_failing_references
from verilogeval.errors import ExitCode
from verilogeval.orchestration.progress import BarProgress, QuietProgress

EXAMPLES = """
verilogeval run --model oracle --dataset ../verilog-eval        # the ceiling: every reference
verilogeval run --model gpt-4o --dataset ../verilog-eval --shots 1 --rules
verilogeval run --model openai:my-model --api-base http://127.0.0.1:8000/v1 --problems 1-10
verilogeval run --model gpt-4o --dataset ../verilog-eval --samples 20 --dry-run
verilogeval run --model gpt-4o --dataset ../verilog-eval --plus --strict --formal
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_options(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="show the problems, the requests, the tokens and a cost estimate; "
        "send and write nothing",
    )
    add_json_option(parser)


def run(args: argparse.Namespace) -> int:
    plan = run_plan_from_args(args)
    if args.dry_run:
        from verilogeval.orchestration.dry_run import describe, estimate

        print("\n".join(describe(plan, estimate(plan))))
        return ExitCode.DONE
    progress = QuietProgress() if args.quiet else BarProgress()
    with stdout_for(args):
        code = execute_plan(plan, progress, process_started())
    if args.json:
        asking = plan.generate
        summary = run_summary("run", asking.out, code)
        cannot_pass = known_failing_references(asking.dataset, asking.problems)
        print_json(summary | {"references_cannot_pass": list(cannot_pass)})
    return code
