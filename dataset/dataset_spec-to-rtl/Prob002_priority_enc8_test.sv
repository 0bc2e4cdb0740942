`timescale 1 ps/1 ps

// Stimulus for Prob002_priority_enc8: zero, every single bit, each top bit with random lower bits, random words
module stimulus_gen (
  input clk,
  output logic [7:0] req
);

  integer seed = 23;
  initial begin
    int i;
    req <= 8'h00;
    for (i = 0; i < 8; i++) @(posedge clk, negedge clk) req <= 8'h01 << i;
    @(posedge clk, negedge clk) req <= 8'h00;
    for (i = 0; i < 8; i++)
      repeat (4) @(posedge clk, negedge clk) req <= (8'h01 << i) | ($random(seed) & ((8'h01 << i) - 1));
    @(posedge clk, negedge clk) req <= 8'hff;
    repeat (150) @(posedge clk, negedge clk) req <= $random(seed) >> ($random(seed) & 7);
    #1 $finish;
  end

endmodule

module tb ();

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic [7:0] req;
  logic [2:0] grant_ref, grant_dut;
  logic any_ref, any_dut;

  stimulus_gen stim (.clk(clk), .req(req));
  RefModule good (
    .req(req),
    .grant(grant_ref),
    .any(any_ref)
  );
  TopModule dut (
    .req(req),
    .grant(grant_dut),
    .any(any_dut)
  );

  // X-tolerant comparison: an X in the reference matches anything, while an X
  // from the design under test only matches an X.
  wire grant_ok = (grant_ref === (grant_ref ^ grant_dut ^ grant_ref));
  wire any_ok = (any_ref === (any_ref ^ any_dut ^ any_ref));
  wire all_ok = grant_ok && any_ok;

  int samples = 0;
  int bad_samples = 0;
  int grant_bad = 0;
  int grant_first = 0;
  int any_bad = 0;
  int any_first = 0;

  // Compare on both clock edges.
  always @(posedge clk, negedge clk) begin
    samples++;
    if (!all_ok) bad_samples++;
    if (!grant_ok) begin
      if (grant_bad == 0) grant_first = $time;
      grant_bad++;
    end
    if (!any_ok) begin
      if (any_bad == 0) any_first = $time;
      any_bad++;
    end
  end

  final begin
    if (grant_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "grant", grant_bad, grant_first);
    else $display("Hint: Output '%s' has no mismatches.", "grant");
    if (any_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "any", any_bad, any_first);
    else $display("Hint: Output '%s' has no mismatches.", "any");
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
