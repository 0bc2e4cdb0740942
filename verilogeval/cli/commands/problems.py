"""`verilogeval problems`: list a dataset's problems with their interface shape."""

from __future__ import annotations

import argparse

from verilogeval.cli.commands.options import add_dataset_options, dataset_from_args
from verilogeval.cli.json_output import add_json_option, print_json
from verilogeval.execution.interface import read_interfaces
from verilogeval.records import Harness

# The module a problem's reference file declares: v1's reference is a sample (top_module).
_REFERENCE_MODULE = {Harness.OFFICIAL_V2: "RefModule", Harness.V1: "top_module"}

EXAMPLES = """
verilogeval problems --dataset ../verilog-eval
verilogeval problems --dataset ../verilog-eval --task code-complete-iccad2023 --problems 'Prob00*'
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_dataset_options(parser)
    add_json_option(parser)


def run(args: argparse.Namespace) -> int:
    dataset, problems = dataset_from_args(args)
    rows = []
    for problem in problems:
        interfaces = read_interfaces(problem.ref_path.read_text(), str(problem.ref_path))
        ref = interfaces.get(_REFERENCE_MODULE[problem.harness])
        rows.append(
            {
                "name": problem.name,
                "number": problem.number,
                "ports": len(ref.ports) if ref else 0,
                "kind": "sequential" if ref and ref.sequential else "combinational",
            }
        )
    if args.json:
        print_json(
            {
                "command": "problems",
                "exit_status": 0,
                "dataset": str(dataset.folder),
                "task": str(dataset.task),
                "benchmark": str(dataset.benchmark),
                "official": dataset.is_official,
                "count": len(rows),
                "problems": rows,
            }
        )
        return 0
    print(f"# {dataset.folder} ({dataset.task}, {dataset.benchmark}, {len(problems)} problems)")
    print(f"{'problem':<40} {'ports':>5}  kind")
    for row in rows:
        print(f"{row['name']:<40} {row['ports']:>5}  {row['kind']}")
    return 0
