"""Module interfaces read with pyslang: ports, widths, signedness, parameters."""

from __future__ import annotations

from verilogeval.dataset.loader import load_dataset
from verilogeval.execution.interface import Port, read_interfaces
from verilogeval.records import Task

SOURCE = """
module Helper (input a, output y); assign y = a; endmodule
module Top #(parameter W = 4, localparam L = 2) (
  input clk,
  input signed [W-1:0] a,
  input [3:0][1:0] packed2d,
  output reg [L:0] q,
  output int n
);
  localparam K = 3;
  wire unused;
  Helper h (.a(clk), .y(unused));
endmodule
"""


def test_ports_in_order_with_direction_width_and_sign():
    top = read_interfaces(SOURCE)["Top"]
    assert top.ports == (
        Port("clk", "input", 1),
        Port("a", "input", 4, signed=True),
        Port("packed2d", "input", 8),
        Port("q", "output", 3),
        Port("n", "output", 32, signed=True),
    )
    assert [p.name for p in top.inputs] == ["clk", "a", "packed2d"]
    assert [p.name for p in top.outputs] == ["q", "n"]
    assert top.port("q") == Port("q", "output", 3)
    assert top.port("missing") is None


def test_parameters_and_localparams_are_told_apart():
    top = read_interfaces(SOURCE)["Top"]
    assert top.parameters == ("W",)
    assert set(top.localparams) == {"L", "K"}


def test_instantiated_modules_are_not_top_level():
    assert set(read_interfaces(SOURCE)) == {"Top"}


def test_sequential_means_a_clock_input():
    combinational = read_interfaces("module M(input a, output y); assign y = a; endmodule")["M"]
    clocked = read_interfaces("module M(input clock, output reg y); endmodule")["M"]
    assert not combinational.sequential
    assert clocked.sequential


def test_every_official_reference_has_a_readable_interface(official_root):
    for task in Task:
        for problem in load_dataset(official_root, task).problems:
            ref = read_interfaces(problem.ref_path.read_text(), str(problem.ref_path))
            assert "RefModule" in ref, problem.name
            assert ref["RefModule"].outputs, problem.name
            assert all(port.width >= 1 for port in ref["RefModule"].ports), problem.name
