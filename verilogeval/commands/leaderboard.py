"""`verilogeval leaderboard RUNDIR...`: compare runs, one row each, best pass@1 first."""

from __future__ import annotations

import argparse
from pathlib import Path

from verilogeval.errors import UserError

FORMATS = ("table", "md", "csv", "json", "html")


def parse_ks(text: str) -> tuple[int, ...]:
    """'1,5,10' -> (1, 5, 10): the k values of pass@k, positive and without repeats."""
    try:
        ks = tuple(dict.fromkeys(int(part) for part in text.split(",") if part.strip()))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected k values like '1,5,10', got {text!r}") from None
    if not ks or min(ks) < 1:
        raise argparse.ArgumentTypeError(f"k values must be positive integers, got {text!r}")
    return ks


def add_k_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-k",
        type=parse_ks,
        default=(1, 5, 10),
        metavar="K,...",
        help="pass@k for these k (default: 1,5,10); undefined where a run has n < k",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("runs", nargs="+", metavar="RUNDIR", help="run folders")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format")
    add_k_option(parser)
    parser.add_argument(
        "-o", "--output", type=Path, default=None, help="write to this file instead of stdout"
    )


def run(args: argparse.Namespace) -> int:
    from verilogeval.reports.leaderboard import leaderboard, render
    from verilogeval.reports.runs import load_run

    runs = [load_run(folder) for folder in args.runs]
    entries = leaderboard(runs, args.k)
    if args.format == "html":
        from verilogeval.reports.html import render_html

        text = render_html(entries, args.k)
    else:
        text = render(entries, args.k, args.format)
    write_output(text, args.output)
    return 0


def write_output(text: str, path: Path | None) -> None:
    """Print `text`, or write it to `path` (naming the file when that fails)."""
    if path is None:
        print(text)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path}: cannot write ({error.strerror})") from None
    print(f"wrote {path}")
