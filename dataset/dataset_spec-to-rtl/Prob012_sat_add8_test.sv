`timescale 1 ps/1 ps

// Stimulus for Prob012_sat_add8: every pair of boundary values, then random operands
module stimulus_gen (
  input clk,
  output logic [7:0] a,
  output logic [7:0] b
);

  integer seed = 128;
  // Eight boundary operands, packed one byte each.
  logic [63:0] corners = 64'h00_01_7f_80_81_ff_40_c0;
  initial begin
    int i, j;
    {a, b} <= 16'h0;
    for (i = 0; i < 8; i++)
      for (j = 0; j < 8; j++)
        @(posedge clk, negedge clk) {a, b} <= {corners[8 * i +: 8], corners[8 * j +: 8]};
    repeat (200) @(posedge clk, negedge clk) {a, b} <= $random(seed);
    #1 $finish;
  end

endmodule

module tb ();

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic [7:0] a;
  logic [7:0] b;
  logic [7:0] sum_ref, sum_dut;
  logic clipped_ref, clipped_dut;

  stimulus_gen stim (.clk(clk), .a(a), .b(b));
  RefModule good (
    .a(a),
    .b(b),
    .sum(sum_ref),
    .clipped(clipped_ref)
  );
  TopModule dut (
    .a(a),
    .b(b),
    .sum(sum_dut),
    .clipped(clipped_dut)
  );

  // X-tolerant comparison: an X in the reference matches anything, while an X
  // from the design under test only matches an X.
  wire sum_ok = (sum_ref === (sum_ref ^ sum_dut ^ sum_ref));
  wire clipped_ok = (clipped_ref === (clipped_ref ^ clipped_dut ^ clipped_ref));
  wire all_ok = sum_ok && clipped_ok;

  int samples = 0;
  int bad_samples = 0;
  int sum_bad = 0;
  int sum_first = 0;
  int clipped_bad = 0;
  int clipped_first = 0;

  // Compare on both clock edges.
  always @(posedge clk, negedge clk) begin
    samples++;
    if (!all_ok) bad_samples++;
    if (!sum_ok) begin
      if (sum_bad == 0) sum_first = $time;
      sum_bad++;
    end
    if (!clipped_ok) begin
      if (clipped_bad == 0) clipped_first = $time;
      clipped_bad++;
    end
  end

  final begin
    if (sum_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "sum", sum_bad, sum_first);
    else $display("Hint: Output '%s' has no mismatches.", "sum");
    if (clipped_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "clipped", clipped_bad, clipped_first);
    else $display("Hint: Output '%s' has no mismatches.", "clipped");
    $display("Hint: Total mismatched samples is %1d out of %1d samples\n", bad_samples, samples);
    $display("Simulation finished at %0d ps", $time);
    $display("Mismatches: %1d in %1d samples", bad_samples, samples);
  end

  // Guard against a design that stalls the simulation.
  initial begin
    #1000000;
    $display("TIMEOUT");
    $finish();
  end

endmodule
