"""Red team 2: the repair loop, its feedback levels, the agents' tools, the formal subset
and the v1 harness, attacked by an answer that reads this repository.

Each test shows one hole (it failed before its fix) or holds a surface that resisted.
"""

from __future__ import annotations

import pytest

from verilogeval.checks.formal.check import FormalConfig, formal_check
from verilogeval.checks.formal.result import FormalStatus
from verilogeval.checks.formal.subset import divergences
from verilogeval.grading.classify import classify
from verilogeval.grading.simulate import simulate
from verilogeval.records import Problem, Sample, Task

MUX = "Prob017_mux2to1v"  # out = sel ? b : a, 100 bits
_MUX_PORTS = "module TopModule (input [99:0] a, input [99:0] b, input sel, output reg [99:0] out);"
# Reads `t` before writing it: Icarus does not wake the block on its own write of `t`, so
# `out` lags one input change behind (every sample mismatches); Yosys reads `t` as the value
# this run settles to, `sel ? b : a`, and proved it equivalent.
STALE_READ = (
    f"{_MUX_PORTS}\n  reg [99:0] t;\n  always @* begin out = t; t = sel ? b : a; end\nendmodule\n"
)


@pytest.fixture(scope="module")
def official(official_problems) -> dict[str, Problem]:
    return official_problems[Task.SPEC_TO_RTL]


@pytest.mark.icarus
@pytest.mark.yosys
@pytest.mark.shared
def test_a_combinational_block_reading_its_own_stale_value_is_never_proven(
    official: dict[str, Problem], tmp_path
) -> None:
    problem = official[MUX]
    sample = Sample(MUX, 1, STALE_READ)
    verdict = classify(simulate(problem, sample, workdir=tmp_path))
    assert not verdict.passed and verdict.mismatches == verdict.total  # Icarus: always stale
    result = formal_check(problem, sample, FormalConfig(depth=12, timeout_s=120))
    assert result.status is FormalStatus.UNSUPPORTED, result.describe()
    assert "before the block writes it" in (result.reason or ""), result.describe()


_PORTS = "module TopModule (input clk, input a, input b, output reg out);\n  reg t;\n"
STALE_FORMS = [
    "always @* begin out = t; t = a; end",
    "always_comb begin out = t; t = a ^ b; end",
    "always @(a or b) begin out = t; t = a; end",
    "always @* begin : n\n    reg u;\n    out = u;\n    u = a;\n  end",  # a static local
    "always @* begin if (b) begin t = a; out = 0; end else begin out = t; t = b; end end",
    "always @* begin t = t ^ a; out = t; end",
    "task set(input x, output y); y = x; endtask\n  always @* begin out = t; set(a, t); end",
    "integer i;\n  always @* begin out = 0;\n"
    "    for (i = 0; i < 2; i = i + 1) begin out = t; t = a; end\n  end",
]


@pytest.mark.parametrize("body", STALE_FORMS)
def test_each_stale_read_form_is_outside_the_subset(body: str) -> None:
    found = divergences(f"{_PORTS}  {body}\nendmodule\n", ("clk",), deadline_s=60)
    assert any("before the block writes it" in reason for reason in found), found


SETTLED_FORMS = [
    "always @* begin t = a; out = t; end",
    "always @* begin if (b) t = a; else t = 0; out = t; end",
    "always @* begin case (a) 1'b0: t = b; default: t = 1'b1; endcase out = t; end",
    "integer i;\n  always @* begin t = 0; for (i = 0; i < 2; i = i + 1) t = t ^ a; out = t; end",
    "always @(posedge clk) begin out <= t; t <= a; end",  # a register: both read it so
    "always @* begin out = a; if (b) out = ~out; end",
]


@pytest.mark.parametrize("body", SETTLED_FORMS)
def test_settled_combinational_forms_stay_inside_the_subset(body: str) -> None:
    assert divergences(f"{_PORTS}  {body}\nendmodule\n", ("clk",), deadline_s=60) == ()
