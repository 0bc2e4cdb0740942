`timescale 1 ps/1 ps

// Stimulus for Prob001_majority5: every input value twice, then random values
module stimulus_gen (
  input clk,
  output logic [4:0] v
);

  integer seed = 55;
  initial begin
    int k;
    v <= 5'd0;
    for (k = 0; k < 64; k++)
      @(posedge clk, negedge clk) v <= k[4:0];
    repeat (100) @(posedge clk, negedge clk) v <= $random(seed);
    #1 $finish;
  end

endmodule

module tb ();

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic [4:0] v;
  logic maj_ref, maj_dut;

  stimulus_gen stim (.clk(clk), .v(v));
  RefModule good (
    .v(v),
    .maj(maj_ref)
  );
  TopModule dut (
    .v(v),
    .maj(maj_dut)
  );

  // X-tolerant comparison: an X in the reference matches anything, while an X
  // from the design under test only matches an X.
  wire maj_ok = (maj_ref === (maj_ref ^ maj_dut ^ maj_ref));
  wire all_ok = maj_ok;

  int samples = 0;
  int bad_samples = 0;
  int maj_bad = 0;
  int maj_first = 0;

  // Compare on both clock edges.
  always @(posedge clk, negedge clk) begin
    samples++;
    if (!all_ok) bad_samples++;
    if (!maj_ok) begin
      if (maj_bad == 0) maj_first = $time;
      maj_bad++;
    end
  end

  final begin
    if (maj_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "maj", maj_bad, maj_first);
    else $display("Hint: Output '%s' has no mismatches.", "maj");
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
