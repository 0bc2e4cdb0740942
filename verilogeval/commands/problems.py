"""`verilogeval problems`: list a dataset's problems with their interface shape."""

from __future__ import annotations

import argparse

from verilogeval.commands.options import add_dataset_options, dataset_from_args
from verilogeval.interface import read_interfaces

EXAMPLES = """
verilogeval problems --dataset ../verilog-eval
verilogeval problems --dataset ../verilog-eval --task code-complete-iccad2023 --problems 'Prob00*'
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_dataset_options(parser)


def run(args: argparse.Namespace) -> int:
    dataset, problems = dataset_from_args(args)
    print(f"# {dataset.folder} ({dataset.task}, {len(problems)} problems)")
    print(f"{'problem':<40} {'ports':>5}  kind")
    for problem in problems:
        ref = read_interfaces(problem.ref_path.read_text(), str(problem.ref_path)).get("RefModule")
        ports = len(ref.ports) if ref else 0
        kind = "sequential" if ref and ref.sequential else "combinational"
        print(f"{problem.name:<40} {ports:>5}  {kind}")
    return 0
