"""Charts with matplotlib's Agg renderer, written as PNG and SVG or embedded in HTML.

Figures are built as `matplotlib.figure.Figure` objects, never through pyplot, so no
global state or display backend is involved.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from verilogeval.errors import UserError
from verilogeval.records import Category
from verilogeval.summary import MISSING

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
    axes.set_xticks(range(len(runs)), [_short(run) for run in runs], rotation=20, ha="right")
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
    axes.set_xticks(range(len(runs)), [_short(run) for run in runs], rotation=20, ha="right")
    axes.set_ylabel("samples")
    axes.set_title("Response issues per run (failed before a fair simulation)")
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    return figure


def heatmap(rates: pd.DataFrame) -> Figure:
    """Problems x runs, each cell the problem's fraction of passing samples."""
    from matplotlib.figure import Figure

    rows, columns = rates.shape
    figure = Figure(
        figsize=(max(4.0, 1.2 * columns + 3.0), max(3.0, 0.14 * rows + 1.5)), layout="constrained"
    )
    axes = figure.add_subplot()
    import matplotlib as mpl
    import numpy as np

    colours = mpl.colormaps["RdYlGn"].with_extremes(bad="#e0e0e0")  # grey: not asked for
    values = np.ma.masked_invalid(rates.to_numpy(dtype=float))
    image = axes.imshow(
        values, aspect="auto", cmap=colours, vmin=0.0, vmax=1.0, interpolation="nearest"
    )
    axes.set_xticks(range(columns), [_short(run) for run in rates.columns], rotation=20, ha="right")
    axes.set_yticks(range(rows), list(rates.index), fontsize=6 if rows > 40 else 8)
    axes.set_title("Pass rate per problem")
    figure.colorbar(image, ax=axes, label="pass rate", shrink=0.6)
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


def _short(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else "…" + label[-(limit - 1) :]
