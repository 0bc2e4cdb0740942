`timescale 1 ps/1 ps

// Stimulus for Prob007_edge_detect4: single-bit toggles, held values, random changes, resets while sig is high
module stimulus_gen (
  input clk,
  output logic reset,
  output logic [3:0] sig
);

  integer seed = 3;
  initial begin
    int i;
    reset <= 1'b1;
    sig <= 4'hf;
    repeat (2) @(negedge clk);
    reset <= 1'b0;
    repeat (2) @(negedge clk);
    sig <= 4'h0;
    repeat (2) @(negedge clk);
    for (i = 0; i < 8; i++) @(negedge clk) sig <= sig ^ (4'b0001 << (i & 3));
    repeat (300) @(negedge clk) begin
      if ($random(seed) & 1) sig <= $random(seed);
      reset <= ($random(seed) & 31) == 0;
    end
    sig <= 4'b1010;
    reset <= 1'b1;
    @(negedge clk) reset <= 1'b0;
    repeat (4) @(negedge clk);
    #1 $finish;
  end

endmodule

module tb ();

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic reset;
  logic [3:0] sig;
  logic [3:0] rise_ref, rise_dut;
  logic [3:0] fall_ref, fall_dut;

  stimulus_gen stim (.clk(clk), .reset(reset), .sig(sig));
  RefModule good (
    .clk(clk),
    .reset(reset),
    .sig(sig),
    .rise(rise_ref),
    .fall(fall_ref)
  );
  TopModule dut (
    .clk(clk),
    .reset(reset),
    .sig(sig),
    .rise(rise_dut),
    .fall(fall_dut)
  );

  // X-tolerant comparison: an X in the reference matches anything, while an X
  // from the design under test only matches an X.
  wire rise_ok = (rise_ref === (rise_ref ^ rise_dut ^ rise_ref));
  wire fall_ok = (fall_ref === (fall_ref ^ fall_dut ^ fall_ref));
  wire all_ok = rise_ok && fall_ok;

  int samples = 0;
  int bad_samples = 0;
  int rise_bad = 0;
  int rise_first = 0;
  int fall_bad = 0;
  int fall_first = 0;

  // Compare on both clock edges.
  always @(posedge clk, negedge clk) begin
    samples++;
    if (!all_ok) bad_samples++;
    if (!rise_ok) begin
      if (rise_bad == 0) rise_first = $time;
      rise_bad++;
    end
    if (!fall_ok) begin
      if (fall_bad == 0) fall_first = $time;
      fall_bad++;
    end
  end

  final begin
    if (rise_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "rise", rise_bad, rise_first);
    else $display("Hint: Output '%s' has no mismatches.", "rise");
    if (fall_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "fall", fall_bad, fall_first);
    else $display("Hint: Output '%s' has no mismatches.", "fall");
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
