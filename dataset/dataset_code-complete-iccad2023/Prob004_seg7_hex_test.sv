`timescale 1 ps/1 ps

// Stimulus for Prob004_seg7_hex: every digit shown, every digit blanked, then random
module stimulus_gen (
  input clk,
  output logic [3:0] digit,
  output logic blank
);

  integer seed = 41;
  initial begin
    int i;
    {blank, digit} <= 5'b0;
    for (i = 0; i < 16; i++) @(posedge clk, negedge clk) {blank, digit} <= {1'b0, i[3:0]};
    for (i = 0; i < 16; i++) @(posedge clk, negedge clk) {blank, digit} <= {1'b1, i[3:0]};
    repeat (100) @(posedge clk, negedge clk) begin
      digit <= $random(seed);
      blank <= ($random(seed) & 3) == 0;
    end
    #1 $finish;
  end

endmodule

module tb ();

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic [3:0] digit;
  logic blank;
  logic [6:0] seg_ref, seg_dut;

  stimulus_gen stim (.clk(clk), .digit(digit), .blank(blank));
  RefModule good (
    .digit(digit),
    .blank(blank),
    .seg(seg_ref)
  );
  TopModule dut (
    .digit(digit),
    .blank(blank),
    .seg(seg_dut)
  );

  // X-tolerant comparison: an X in the reference matches anything, while an X
  // from the design under test only matches an X.
  wire seg_ok = (seg_ref === (seg_ref ^ seg_dut ^ seg_ref));
  wire all_ok = seg_ok;

  int samples = 0;
  int bad_samples = 0;
  int seg_bad = 0;
  int seg_first = 0;

  // Compare on both clock edges.
  always @(posedge clk, negedge clk) begin
    samples++;
    if (!all_ok) bad_samples++;
    if (!seg_ok) begin
      if (seg_bad == 0) seg_first = $time;
      seg_bad++;
    end
  end

  final begin
    if (seg_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "seg", seg_bad, seg_first);
    else $display("Hint: Output '%s' has no mismatches.", "seg");
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
