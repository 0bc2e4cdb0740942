`timescale 1 ps/1 ps

// Stimulus for Prob006_barrel_rotate16: one set bit and one clear bit rotated by every amount both ways, then random
module stimulus_gen (
  input clk,
  output logic [15:0] data,
  output logic [3:0] amt,
  output logic left
);

  integer seed = 13;
  initial begin
    int i;
    {data, amt, left} <= 21'b0;
    for (i = 0; i < 32; i++) @(posedge clk, negedge clk) {data, amt, left} <= {16'h0001, i[4:0]};
    for (i = 0; i < 32; i++) @(posedge clk, negedge clk) {data, amt, left} <= {16'h7fff, i[4:0]};
    for (i = 0; i < 32; i++) @(posedge clk, negedge clk) {data, amt, left} <= {16'h8421, i[4:0]};
    repeat (150) @(posedge clk, negedge clk) {data, amt, left} <= $random(seed);
    #1 $finish;
  end

endmodule

module tb ();

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic [15:0] data;
  logic [3:0] amt;
  logic left;
  logic [15:0] out_ref, out_dut;

  stimulus_gen stim (.clk(clk), .data(data), .amt(amt), .left(left));
  RefModule good (
    .data(data),
    .amt(amt),
    .left(left),
    .out(out_ref)
  );
  TopModule dut (
    .data(data),
    .amt(amt),
    .left(left),
    .out(out_dut)
  );

  // X-tolerant comparison: an X in the reference matches anything, while an X
  // from the design under test only matches an X.
  wire out_ok = (out_ref === (out_ref ^ out_dut ^ out_ref));
  wire all_ok = out_ok;

  int samples = 0;
  int bad_samples = 0;
  int out_bad = 0;
  int out_first = 0;

  // Compare on both clock edges.
  always @(posedge clk, negedge clk) begin
    samples++;
    if (!all_ok) bad_samples++;
    if (!out_ok) begin
      if (out_bad == 0) out_first = $time;
      out_bad++;
    end
  end

  final begin
    if (out_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "out", out_bad, out_first);
    else $display("Hint: Output '%s' has no mismatches.", "out");
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
