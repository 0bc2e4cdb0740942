"""Formal speaks only for a sample Icarus simulates as Yosys reads it (formal/subset.py).

Each attack below was `proven` (or `bounded`, which keeps a plus pass too) by the formal
check before the subset, while Icarus simulates it otherwise than the reference on some
input sequence the official stimulus does not reach; the replay tests show that
difference in Icarus. Now each is `unsupported`, with the class in the reason. The
controls are common synthesizable forms that must stay proven.
"""

from __future__ import annotations

import pytest

from verilogeval.checks.formal.check import FormalConfig, formal_check
from verilogeval.checks.formal.replay import replay
from verilogeval.checks.formal.result import FormalStatus
from verilogeval.checks.formal.subset import divergences
from verilogeval.checks.formal.yosys import Edge, read_cell_count
from verilogeval.execution.interface import read_interfaces
from verilogeval.execution.sandbox.host import runner
from verilogeval.grading.ports.pairing import diff_ports
from verilogeval.records import Problem, Sample, Task

CONFIG = FormalConfig(depth=12, timeout_s=120)
MUX = "Prob017_mux2to1v"  # out = sel ? b : a, 100 bits
DFF = "Prob034_dff8"  # q <= d on the rising edge, q starts 0
_MUX_PORTS = "module TopModule (input [99:0] a, input [99:0] b, input sel, output reg [99:0] out);"
_DFF_PORTS = "module TopModule (input clk, input [7:0] d, output reg [7:0] q);"
MAGIC = "100'h1234_5678_9abc_def0_1234_5"  # an input the stimulus never draws


def _mux(body: str) -> str:
    return f"{_MUX_PORTS}\n{body}\nendmodule\n"


def _dff(body: str) -> str:
    return f"{_DFF_PORTS}\n{body}\nendmodule\n"


# (id, problem, sample, a word of the reason, input steps on which Icarus differs or None)
_B_CHANGES_ALONE = ({"a": "1", "b": "10", "sel": "1"}, {"a": "1", "b": "11", "sel": "1"})
_A_IS_MAGIC = (
    {"a": "0", "b": "0", "sel": "0"},
    {"a": f"{int(MAGIC[5:].replace('_', ''), 16):b}", "b": "0", "sel": "0"},
)
ATTACKS = [
    (
        "task-reads-a-module-signal",
        MUX,
        _mux(
            "  task pick(input s, input [99:0] x, output [99:0] r); r = s ? b : x; endtask\n"
            "  always @* pick(sel, a, out);"
        ),
        "task `pick` uses b",
        _B_CHANGES_ALONE,
    ),
    (
        "assign-through-a-function",
        MUX,
        "module TopModule (input [99:0] a, input [99:0] b, input sel, output [99:0] out);\n"
        "  function [99:0] pick(input s, input [99:0] x); pick = s ? b : x; endfunction\n"
        "  assign out = pick(sel, a);\nendmodule\n",
        "function `pick` uses b",
        _B_CHANGES_ALONE,
    ),
    (
        "two-always-blocks",
        MUX,
        _mux(f"  always @* out = sel ? b : a;\n  always @* if (a == {MAGIC}) out = 0;"),
        "more than one driver",
        _A_IS_MAGIC,
    ),
    (
        "two-assignments",
        MUX,
        _mux(
            f"  wire k;\n  assign k = (a == {MAGIC});\n  assign k = 1'b0;\n"
            "  always @* out = k ? 100'd0 : (sel ? b : a);"
        ),
        "more than one driver",
        _A_IS_MAGIC,
    ),
    (
        "two-generate-iterations",
        MUX,
        _mux(
            "  wire k;\n  for (genvar i = 0; i < 2; i++) begin : g\n"
            f"    assign k = i ? (a == {MAGIC}) : 1'b0;\n  end\n"
            "  always @* out = k ? 100'd0 : (sel ? b : a);"
        ),
        "more than one driver",
        _A_IS_MAGIC,
    ),
    (
        "star-over-no-signal",
        MUX,
        _mux(
            "  reg k;\n  always @* k = 1'b0;\n"
            f"  always @* out = (k & (a == {MAGIC})) ? 100'd0 : (sel ? b : a);"
        ),
        "over no signal",
        _A_IS_MAGIC,
    ),
    (
        "time",
        MUX,
        _mux("  always @* out = ($time > 64'd100000000) ? 100'd0 : (sel ? b : a);"),
        "`$time`",
        None,  # differs after 0.1 s of simulated time
    ),
    (
        "delay",
        MUX,
        _mux(
            "  reg trap;\n  initial begin trap = 0; #100000000 trap = 1; end\n"
            "  always @* out = trap ? 100'd0 : (sel ? b : a);"
        ),
        "timing control",
        None,  # differs after 0.1 s of simulated time
    ),
    (
        "latch-on-a-glitch",
        MUX,
        _mux(
            "  wire n = ~sel;\n  reg l = 0;\n"
            f"  always @* if (sel & n) l = (a == {MAGIC});\n"
            "  always @* out = l ? 100'd0 : (sel ? b : a);"
        ),
        "a latch",
        ({"a": "0", "b": "0", "sel": "0"}, {**_A_IS_MAGIC[1], "sel": "1"}),
    ),
    (
        "blocking-race",
        DFF,
        _dff(
            "  reg [7:0] t = 0, p = 0;\n  initial q = 0;\n"
            "  always @(posedge clk) t = d;\n  always @(posedge clk) p <= d;\n"
            "  always @(posedge clk) q <= (t != p && t == 8'ha5 && p == 8'h5a) ? 8'h00 : d;"
        ),
        "blocking assignment to `t`",
        ({"d": "01011010"}, {"d": "10100101"}, {"d": "0"}, {"d": "0"}),
    ),
    (
        "clock-as-data",
        DFF,
        "module TopModule (input clk, input [7:0] d, output [7:0] q);\n"
        "  reg [7:0] r = 0, r2 = 0;\n  always @(posedge clk) begin r <= d; r2 <= r; end\n"
        "  assign q = (clk && r == 8'ha5 && r2 == 8'h5a) ? 8'h00 : r;\nendmodule\n",
        "the clock `clk` read as data",
        None,  # differs while the clock is high, which the proof and the replay never compare
    ),
    (
        "latch-on-the-clock",
        DFF,
        "module TopModule (input clk, input [7:0] d, output [7:0] q);\n"
        "  reg [7:0] r = 0, r2 = 0;\n  reg hit = 0;\n"
        "  always @(posedge clk) begin r <= d; r2 <= r; end\n"
        "  always @* if (clk) hit = (r == 8'ha5 && r2 == 8'h5a);\n"
        "  assign q = hit ? 8'h00 : r;\nendmodule\n",
        "the clock `clk` read as data",
        None,  # the latch opens only while the clock is high
    ),
]


@pytest.fixture(scope="module")
def official(official_problems) -> dict[str, Problem]:
    return official_problems[Task.SPEC_TO_RTL]


@pytest.mark.icarus
@pytest.mark.yosys
@pytest.mark.parametrize(
    ("name", "code", "reason", "steps"), [a[1:] for a in ATTACKS], ids=[a[0] for a in ATTACKS]
)
def test_a_sample_icarus_simulates_otherwise_is_never_proven(
    official: dict[str, Problem], name: str, code: str, reason: str, steps
) -> None:
    problem = official[name]
    result = formal_check(problem, Sample(name, 1, code), CONFIG)
    assert result.status is FormalStatus.UNSUPPORTED, result.describe()
    assert "simulation and synthesis may differ" in (result.reason or ""), result.describe()
    assert reason in (result.reason or ""), result.describe()
    if steps is not None:  # the attack is real: Icarus shows the difference
        ref_source = problem.ref_path.read_text(encoding="utf-8")
        ports = diff_ports(read_interfaces(ref_source, "ref.sv")["RefModule"])
        replayed = replay(
            ports,
            steps,
            ref_source=ref_source,
            sample=Sample(name, 1, code),
            compare_from=1,
            edge=Edge.RISING,
            commands=runner(None, True),
            timeout_s=120,
        )
        assert replayed.problem is None, replayed.problem
        assert replayed.counterexample is not None, "Icarus shows no difference"


CONTROLS = [
    (MUX, _mux("  always @(a or b or sel) out = sel ? b : a;")),  # a complete event list
    (
        MUX,
        _mux(
            "  function [99:0] pick(input s, input [99:0] x, input [99:0] y);\n"
            "    pick = s ? y : x;\n  endfunction\n  always @* out = pick(sel, a, b);"
        ),
    ),
    (MUX, _mux("  always @* begin out = a; if (sel) out = b; end")),
    (
        DFF,
        _dff(
            "  initial q = 0;\n  always @(posedge clk) begin : b\n"
            "    reg [7:0] t;\n    t = d;\n    q <= t;\n  end"
        ),
    ),
]


@pytest.mark.icarus
@pytest.mark.yosys
@pytest.mark.parametrize(("name", "code"), CONTROLS, ids=["list", "function", "default", "local"])
def test_synthesizable_forms_are_still_proven(
    official: dict[str, Problem], name: str, code: str
) -> None:
    result = formal_check(official[name], Sample(name, 1, code), CONFIG)
    assert result.status is FormalStatus.PROVEN, result.describe()


# Each class read by the parser child alone (no Yosys): the finding names it.
SUBSET = [
    ("always @(a) out = a & b;", "incomplete event list"),
    ("always @(a or posedge b) out = a;", "mixing edges and levels"),
    ("always @(posedge a[0]) out <= b;", "an event on an expression"),
    ("always out = a;", "without an event list"),
    ("always @* out = 1'b0;", "over no signal"),
    ("always @* begin out = a; @(b) out = b; end", "timing control"),
    ("assign #1 w = a;", "timing control"),
    ("always @* fork out = a; join", "parallel block statement"),
    ("always @* begin wait (a) out = a; end", "wait statement"),
    ("event e;\n  always @* -> e;", "event"),
    ("initial force out = 0;", "procedural force statement"),
    ("always @* out = $random;", "`$random`"),
    ("always @* out = $isunknown(a);", "`$isunknown`"),
    ("real r;", "real type"),
    ("tri t;", "`tri` net"),
    ("wand t;", "`wand` net"),
    ("always @* priority case (a) 1'b0: out = b; endcase", "`priority`"),
    ("always @* unique if (a) out = b; else out = 0;", "`unique`"),
    ("always_latch if (a) out = b;", "always latch block"),
    ("final out = 0;", "final block"),
    ("and g(w, a, b);", "primitive instantiation"),
    ("assign w = u.x;\n  sub u();", "hierarchical name"),
    ("function f(input x); f = x ^ b; endfunction\n  assign w = f(a);", "function `f` uses b"),
    ("always @(posedge clk) begin t = a; end\n  assign w = t;", "blocking assignment to `t`"),
    ("always @(posedge clk) out = a;", "blocking assignment to the port `out`"),
    (
        "integer i;\n  always @(posedge clk) for (i = 0; i < 2; i = i + 1) out <= a;\n"
        "  always @* t = i;",  # the loop's last value read by another block
        "blocking assignment to `i`",
    ),
    ("assign w = clk & a;", "the clock `clk` read as data"),
    ("assign w = clk[0];", "the clock `clk` read as data"),
    ("sub u(.c(clk));", "the clock `c` read as data"),  # data inside the instance
    ("sub u(clk);", "the clock `clk` read as data"),  # by position: not followed
    ("assign w = a;\n  assign w = b;", "more than one driver"),
    ("assign a = b;", "more than one driver"),  # an input driven from inside
]
_SUBSET_PORTS = (
    "module TopModule (input clk, input a, input b, output reg out);\n  wire w;\n  reg t;\n"
)


@pytest.mark.parametrize(("body", "finding"), SUBSET, ids=[f for _, f in SUBSET])
def test_each_class_is_outside_the_subset(body: str, finding: str) -> None:
    code = f"{_SUBSET_PORTS}  {body}\nendmodule\nmodule sub(input c); wire x = c; endmodule\n"
    found = divergences(code, ("clk",), deadline_s=60)
    assert any(finding in reason for reason in found), found


@pytest.mark.parametrize(
    "body",
    [
        "always @* out = a & b;",
        "always_comb out = a & b;",
        "always @(a, b) out = a & b;",
        "always @(posedge clk) out <= a;",
        "always_ff @(posedge clk) out <= a;",
        "always @(posedge clk or posedge b) if (b) out <= 0; else out <= a;",
        "initial out = 0;\n  always @(posedge clk) out <= a;",
        "integer i;\n  always @(posedge clk) for (i = 0; i < 2; i = i + 1) out <= a;",
        "assign w = $signed(a) + $clog2(4);",
        "wire [1:0] v;\n  assign v[0] = a;\n  assign v[1] = b;",
        "for (genvar i = 0; i < 2; i++) begin : g\n    wire [1:0] v;\n    assign v[i] = a;\n  end",
        "function f(input x, input y); f = x ^ y; endfunction\n  assign w = f(a, b);",
        "always @* casez ({a, b}) 2'b1?: out = 1; default: out = 0; endcase",
        'initial $display("hello");',
        "sub u(.c(clk), .d(a), .q(w));",  # the clock passed down, an edge in the instance
    ],
)
def test_synthesizable_forms_are_inside_the_subset(body: str) -> None:
    code = (
        f"{_SUBSET_PORTS}  {body}\nendmodule\n"
        "module sub(input c, input d, output reg q); always @(posedge c) q <= d; endmodule\n"
    )
    assert divergences(code, ("clk",), deadline_s=60) == ()


@pytest.mark.icarus
@pytest.mark.yosys
def test_a_difference_icarus_does_not_show_is_not_a_bound(official: dict[str, Problem]) -> None:
    """A `bit` register starts at 0 in Icarus and X in the proof: Yosys finds a difference
    the replay does not show. The two read the design otherwise, so no bound (`bounded`
    before, which kept a plus pass) is claimed."""
    code = (
        "module TopModule (input clk, input [7:0] d, output bit [7:0] q);\n"
        "  always @(posedge clk) q <= d;\nendmodule\n"
    )
    result = formal_check(official[DFF], Sample(DFF, 1, code), CONFIG)
    assert result.status is FormalStatus.UNSUPPORTED, result.describe()
    assert "that Icarus does not show" in (result.reason or ""), result.describe()


def test_only_a_count_is_a_cell_count() -> None:
    assert read_cell_count("2 objects.\n") == 2
    assert read_cell_count("0 objects.") == 0
    assert read_cell_count("") is None  # the script stopped before counting
    assert read_cell_count("0 objects.\n1 objects.") is None
