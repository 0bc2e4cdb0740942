"""`verilogeval import-inspect LOG --out DIR`: an Inspect log of our tasks as a run folder.

The folder then goes wherever a native run goes: `leaderboard`, `report`, `failures`,
`compare`, `show`. Its verdicts are those the scorer gave during the eval (the log's
scores hold each sample's results.jsonl line). Needs the `inspect` extra.
"""

from __future__ import annotations

import argparse

from verilogeval.cli.commands.options import add_from_to
from verilogeval.inspect_tasks.extra import require_inspect
from verilogeval.wording import plural

EXAMPLES = """
verilogeval import-inspect logs/2025-01-01T00-00-00_spec-to-rtl_abc.eval --out runs/gpt-4o-inspect
verilogeval leaderboard runs/*   # after: inspect eval verilogeval/spec_to_rtl --log-dir logs ...
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_from_to(
        parser,
        "log",
        "LOG",
        "an Inspect log (.eval or .json)",
        "the run folder to write (new or empty)",
    )


def run(args: argparse.Namespace) -> int:
    require_inspect("import-inspect")
    from verilogeval.inspect_tasks.import_log import import_log

    imported = import_log(args.log, args.out)
    print(
        f"{args.out}: {plural(imported.samples, 'sample')} imported, "
        f"{imported.graded} with a verdict"
    )
    return 0
