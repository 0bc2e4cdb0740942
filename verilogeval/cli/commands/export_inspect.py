"""`verilogeval export-inspect RUN --out PATH`: a run folder as an Inspect eval log.

`inspect view` then shows the run (`inspect view --log-dir` the log's folder), each
sample with its prompt, answer and verdict; `import-inspect` reads it back. Needs the
`inspect` extra.
"""

from __future__ import annotations

import argparse

from verilogeval.cli.commands.options import add_from_to
from verilogeval.inspect_tasks.extra import require_inspect
from verilogeval.wording import plural

EXAMPLES = """
verilogeval export-inspect runs/gpt-4o_spec-to-rtl_native_0shot_n1_t0 --out logs/gpt-4o.eval
inspect view --log-dir logs
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_from_to(
        parser, "run_dir", "RUN", "a run folder", "the log to write: PATH.eval, or PATH.json"
    )


def run(args: argparse.Namespace) -> int:
    require_inspect("export-inspect")
    from verilogeval.inspect_tasks.export_log import export_run

    log = export_run(args.run_dir, args.out)
    print(f"{args.out}: {plural(len(log.samples or ()), 'sample')} written")
    return 0
