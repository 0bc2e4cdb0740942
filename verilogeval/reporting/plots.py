"""Charts with matplotlib's Agg renderer, written as PNG and SVG or embedded in HTML.

Figures are built as `matplotlib.figure.Figure` objects, never through pyplot, so no
global state or display backend is involved.
"""

from __future__ import annotations

import base64
import io
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from verilogeval.errors import UserError
from verilogeval.records import Category
from verilogeval.reporting.metrics import Estimate
from verilogeval.reporting.summary import MISSING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# One fixed colour per category so charts of different runs read alike.
COLOURS: dict[str, str] = {
    Category.PASS: "#2e7d32",
    Category.SYNTAX: "#c62828",
    Category.EXPLICIT_CAST: "#ad1457",
    Category.ZERO_WIDTH: "#6a1b9a",
    Category.NO_SENSITIVITY: "#4527a0",
    Category.DECLARED_AS_WIRE: "#283593",
    Category.UNKNOWN_MODULE: "#1565c0",
    Category.UNABLE_TO_BIND: "#00838f",
    Category.UNABLE_TO_BIND_CLK: "#00695c",
    Category.TIMEOUT: "#f9a825",
    Category.ASYNC_RESET: "#ef6c00",
    Category.COMPILE_OTHER: "#8d6e63",
    Category.RUNTIME: "#e57373",
    MISSING: "#9e9e9e",
}


def category_chart(table: pd.DataFrame) -> Figure:
    """Stacked bars, one per run, of each category's share of the run's samples (runs with
    different n compare); the table is failures.category_table's."""
    from matplotlib.figure import Figure

    runs = list(table.columns[1:])
    shares = 100.0 * table[runs] / table[runs].sum()
    figure = Figure(figsize=(max(4.0, 1.4 * len(runs) + 3.0), 4.5), layout="constrained")
    axes = figure.add_subplot()
    bottom = pd.Series(0, index=runs, dtype=float)
    for code, row in table.iterrows():
        values = shares.loc[code]
        axes.bar(
            range(len(runs)),
            values,
            bottom=bottom,
            color=COLOURS[code],
            label=f"{code} {row['name']}",
        )
        bottom += values
    axes.set_xticks(range(len(runs)), [_wrapped(run) for run in runs], fontsize=8)
    axes.set_ylabel("share of samples (%)")
    axes.set_ylim(0, 100)
    axes.set_title("Outcome categories per run")
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    return figure


def issue_chart(table: pd.DataFrame) -> Figure:
    """Stacked bars, one per run, of samples per response issue (failures.issue_table)."""
    from matplotlib.figure import Figure

    runs = list(table.columns[1:])
    figure = Figure(figsize=(max(4.0, 1.4 * len(runs) + 3.0), 4.0), layout="constrained")
    axes = figure.add_subplot()
    bottom = pd.Series(0, index=runs, dtype=float)
    for issue, row in table.iterrows():
        values = row[runs].astype(float)
        axes.bar(range(len(runs)), values, bottom=bottom, label=f"{issue}: {row['name']}")
        bottom += values
    axes.set_xticks(range(len(runs)), [_wrapped(run) for run in runs], fontsize=8)
    axes.set_ylabel("samples")
    axes.set_title("Response issues per run (failed before a fair simulation)")
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    return figure


HEATMAP_ROWS = 40  # problems per panel at most: 156 problems stand in four panels side by side


def heatmap(rates: pd.DataFrame) -> Figure:
    """Problems x runs, each cell the problem's fraction of passing samples.

    The problems are split into panels side by side, so 156 of them keep a readable
    label each; the runs are numbered 1, 2, ... in their order (the leaderboard's), and
    the numbers are named under the panels.
    """
    from matplotlib.figure import Figure

    rows, columns = rates.shape
    panels = max(1, math.ceil(rows / HEATMAP_ROWS))
    per_panel = math.ceil(rows / panels) if rows else 1
    figure = Figure(
        figsize=(panels * (2.4 + 0.3 * columns) + 1.2, 0.17 * per_panel + 1.4 + 0.2 * columns),
        layout="constrained",
    )
    import matplotlib as mpl
    import numpy as np

    colours = mpl.colormaps["RdYlGn"].with_extremes(bad="#e0e0e0")  # grey: not asked for
    all_axes = figure.subplots(1, panels, squeeze=False)[0]
    numbers = [str(number) for number in range(1, columns + 1)]
    for index, axes in enumerate(all_axes):
        chunk = rates.iloc[index * per_panel : (index + 1) * per_panel]
        image = axes.imshow(
            np.ma.masked_invalid(chunk.to_numpy(dtype=float)),
            aspect="auto",
            cmap=colours,
            vmin=0.0,
            vmax=1.0,
            interpolation="nearest",
        )
        axes.set_xticks(range(columns), numbers, fontsize=8)
        axes.xaxis.tick_top()
        axes.set_yticks(range(len(chunk)), list(chunk.index), fontsize=7)
    figure.colorbar(image, ax=all_axes, label="pass rate", shrink=0.5)
    figure.suptitle("Pass rate per problem (columns: runs)")
    figure.supxlabel(
        "\n".join(f"run {number}: {run}" for number, run in enumerate(rates.columns, start=1)),
        fontsize=8,
        ha="left",
        x=0.01,
    )
    return figure


def pass_by_round(curves: Mapping[str, Sequence[Estimate]]) -> Figure:
    """pass@1 after each repair round, one line per run (its 95% CI as a band)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.0), layout="constrained")
    axes = figure.subplots()
    for label, estimates in curves.items():
        rounds = list(range(len(estimates)))
        values = [100 * e.value for e in estimates]
        axes.plot(rounds, values, marker="o", label=_wrapped(label, 40))
        axes.fill_between(
            rounds, [100 * e.low for e in estimates], [100 * e.high for e in estimates], alpha=0.15
        )
    axes.set_xlabel("round (0: the first answer)")
    axes.set_ylabel("pass@1 %")
    axes.set_ylim(0, 100)
    axes.set_xticks(range(max((len(e) for e in curves.values()), default=1)))
    axes.legend(fontsize=7, loc="lower right")
    figure.suptitle("Pass rate after each repair round")
    return figure


def save(figure: Figure, stem: Path) -> list[Path]:
    """Write `stem`.png and `stem`.svg; returns both paths."""
    paths = [stem.with_name(stem.name + ".png"), stem.with_name(stem.name + ".svg")]
    for path in paths:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            figure.savefig(path, dpi=120)
        except OSError as error:
            raise UserError(f"{path}: cannot write ({error.strerror})") from None
    return paths


def png_data_uri(figure: Figure) -> str:
    """The figure as a `data:image/png;base64,...` URI for an <img> in a self-contained page."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _wrapped(label: str, width: int = 22) -> str:
    """A run's name over as many lines as it takes, broken after `_`, `/` or `-`: a chart
    label is never clipped."""
    lines = [""]
    for part in re.split(r"(?<=[_/-])", label):
        if lines[-1] and len(lines[-1]) + len(part) > width:
            lines.append("")
        lines[-1] += part
    return "\n".join(lines)
