"""The harness of the amplified run, and the one verdict line the sample cannot print.

The official verdict is read from the log, and the sample prints into the same log. The
trusted verdict is read instead from one line the harness module prints in its `final`
block: a fresh secret of the run (a plusarg the harness reads inside an automatic
function, so no hierarchical name reaches it) and the testbench's own counters, the two
values its `Mismatches: %1d in %1d samples` line displays (`stats1.errors` and
`stats1.clocks` in every official testbench), then one value drawn from each random
stream: where the streams stand at the end. A testbench without that line cannot be
judged this way: the check fails closed.

The run of the reference under the same harness and shift says what a trusted pass must
show: no error, the same sample count (a sample that ends the run early compares fewer),
and the same stream values (a sample that draws from or reseeds a stream, as
`$urandom(seed)` does to undo the shift, leaves them elsewhere).

The harness file goes before the sample in the compile, and ends with `resetall` and an
`undef` of every macro the testbench and reference define: the sample sees the
directives it sees officially (it comes first there), yet an unterminated comment or
conditional at its end swallows nothing, and a `tb`, `RefModule` or harness of its own
is a duplicate the compiler refuses.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from verilogeval.grading.classify import log_lines

HARNESS_TOP = "verilogeval_seed_shift"
SHIFT_PLUSARG = "verilogeval_shift"
SECRET_PLUSARG = "verilogeval_secret"
VERDICT_TAG = "verilogeval-verdict"
TRUST_RULES = 1  # bump when what the trusted verdict requires changes: cached results depend on it
# Shifts are drawn below this: 12 secret bits per seed, and at most ~12 ms of draws (a
# draw costs Icarus about 3 us; only the streams the testbench uses are drawn from). A
# sample that memorised the stimulus of every shift would hold 4096 times the official
# stimulus: far past the 1 MiB a sample may have (layout.MAX_CODE_BYTES) for any problem
# whose input space is not already smaller than what the testbench drives.
SHIFT_LIMIT = 1 << 12
# A call without a seed argument draws from the global stream: `$random`, `$random()`,
# not `$random(seed)`.
_STREAMS = {name: re.compile(rf"\{name}\b(?!\s*\(\s*[^\s)])") for name in ("$random", "$urandom")}

_TB = re.compile(r"^\s*module\s+tb\b(.*?)^\s*endmodule\b", re.DOTALL | re.MULTILINE)
_NAME = r"[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*"
_COUNTERS = re.compile(
    rf'\$display\(\s*"Mismatches: %1d in %1d samples"\s*,\s*({_NAME})\s*,\s*({_NAME})\s*\)\s*;'
)
_DEFINE = re.compile(r"^\s*`define\s+([A-Za-z_]\w*)", re.MULTILINE)


@dataclass(frozen=True)
class Counters:
    """The testbench's own counters, as `tb`'s verdict line names them."""

    errors: str  # e.g. stats1.errors
    total: str  # e.g. stats1.clocks


def testbench_counters(testbench: str) -> Counters:
    """The counters of `tb`'s one `Mismatches:` line; ValueError when there is not one."""
    body = _TB.search(testbench)
    found = _COUNTERS.findall(body.group(1)) if body else []
    if len(found) != 1:
        raise ValueError(
            "the testbench has no single `Mismatches: %1d in %1d samples` line in module tb: "
            "no trusted verdict"
        )
    errors, total = found[0]
    return Counters(errors, total)


def drawn_streams(testbench: str) -> tuple[str, ...]:
    """The global random streams the testbench draws from: the ones a shift changes."""
    return tuple(name for name, draw in _STREAMS.items() if draw.search(testbench))


def harness_source(counters: Counters, streams: tuple[str, ...], *harness_after: str) -> str:
    """The harness module, then the directives that make the sample start clean.

    `streams`: the ones to shift (see drawn_streams). `harness_after`: the sources
    compiled before the sample (testbench, reference), whose macros are undefined again.
    """
    macros = dict.fromkeys(name for text in harness_after for name in _DEFINE.findall(text))
    undefines = "".join(f"`undef {name}\n" for name in macros)
    draws = "".join(f"\n        value = {stream};" for stream in streams)
    return f"""\
module {HARNESS_TOP};
  task automatic shift_streams;
    integer draws, i, value;
    begin
      if (!$value$plusargs("{SHIFT_PLUSARG}=%d", draws)) draws = 0;
      for (i = 0; i < draws; i = i + 1) begin{draws}
      end
    end
  endtask
  function automatic integer report(input integer unused);
    reg [127:0] secret;
    begin
      if ($value$plusargs("{SECRET_PLUSARG}=%h", secret))
        $display("{VERDICT_TAG} %032h %0d %0d %0d %0d", secret, tb.{counters.errors},
                 tb.{counters.total}, $random, $urandom);
      report = unused;
    end
  endfunction
  integer reported;
  initial shift_streams;
  final reported = report(0);
endmodule
`resetall
{undefines}"""


def new_secret() -> str:
    """A fresh secret for one simulation: 128 bits, as the harness displays them."""
    return secrets.token_hex(16)


def secret_shifts(count: int) -> tuple[int, ...]:
    """`count` fresh shifts (values drawn from each stream before the testbench starts)."""
    return tuple(1 + secrets.randbelow(SHIFT_LIMIT - 1) for _ in range(count))


def harness_plusargs(draws: int, secret: str) -> tuple[str, ...]:
    return (f"+{SHIFT_PLUSARG}={draws}", f"+{SECRET_PLUSARG}={secret}")


@dataclass(frozen=True)
class HarnessReport:
    """What the harness said in one run's log: how many lines carry the secret, and the
    counters of the one well-formed line (None when there is not exactly one)."""

    lines: int
    errors: int | None = None
    total: int | None = None
    streams: str | None = None  # the values drawn from $random and $urandom at the end

    def problem(self) -> str | None:
        """Why this report cannot be trusted, or None."""
        if self.lines == 0:
            return "no harness verdict line (the simulation did not end through its final blocks)"
        if self.lines > 1:
            return f"{self.lines} harness verdict lines (the harness prints one)"
        if self.errors is None:
            return "the harness verdict line was altered"
        return None


def harness_report(log: str, secret: str) -> HarnessReport:
    """The harness's verdict in `log`, its lines split exactly as the classifier splits."""
    carrying = [line for line in log_lines(log) if secret in line]
    if len(carrying) != 1:
        return HarnessReport(len(carrying))
    match = re.fullmatch(rf"{VERDICT_TAG} {secret} (\d+) (\d+) (-?\d+ \d+)", carrying[0])
    if match is None:
        return HarnessReport(1)
    return HarnessReport(1, int(match.group(1)), int(match.group(2)), match.group(3))
