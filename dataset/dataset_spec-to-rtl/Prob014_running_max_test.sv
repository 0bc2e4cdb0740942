`timescale 1 ps/1 ps

// Stimulus for Prob014_running_max: slowly growing values, larger values while valid is 0, resets mid-run
module stimulus_gen (
  input clk,
  output logic reset,
  output logic valid,
  output logic [7:0] data
);

  integer seed = 255;
  initial begin
    int i;
    reset <= 1'b1;
    valid <= 1'b1;
    data <= 8'hff;
    repeat (2) @(negedge clk);
    reset <= 1'b0;
    valid <= 1'b0;
    repeat (3) @(negedge clk);
    for (i = 0; i < 300; i++) @(negedge clk) begin
      valid <= ($random(seed) & 3) != 0;
      data <= $random(seed) & ((i < 128) ? i : 8'hff);
      reset <= ($random(seed) & 63) == 0;
    end
    @(negedge clk) {valid, data} <= {1'b0, 8'hfe};
    @(negedge clk) {valid, data} <= {1'b1, 8'h00};
    reset <= 1'b1;
    @(negedge clk) reset <= 1'b0;
    valid <= 1'b0;
    repeat (2) @(negedge clk);
    repeat (20) @(negedge clk) {valid, data} <= {1'b1, 8'h80 ^ ($random(seed) & 8'h3f)};
    @(negedge clk) {valid, data} <= {1'b1, 8'hfe};
    @(negedge clk) {valid, data} <= {1'b0, 8'hff};
    @(negedge clk) {valid, data} <= {1'b1, 8'hff};
    @(negedge clk) {valid, data} <= {1'b1, 8'h00};
    repeat (2) @(negedge clk);
    #1 $finish;
  end

endmodule

module tb ();

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic reset;
  logic valid;
  logic [7:0] data;
  logic [7:0] peak_ref, peak_dut;
  logic seen_ref, seen_dut;

  stimulus_gen stim (.clk(clk), .reset(reset), .valid(valid), .data(data));
  RefModule good (
    .clk(clk),
    .reset(reset),
    .valid(valid),
    .data(data),
    .peak(peak_ref),
    .seen(seen_ref)
  );
  TopModule dut (
    .clk(clk),
    .reset(reset),
    .valid(valid),
    .data(data),
    .peak(peak_dut),
    .seen(seen_dut)
  );

  // X-tolerant comparison: an X in the reference matches anything, while an X
  // from the design under test only matches an X.
  wire peak_ok = (peak_ref === (peak_ref ^ peak_dut ^ peak_ref));
  wire seen_ok = (seen_ref === (seen_ref ^ seen_dut ^ seen_ref));
  wire all_ok = peak_ok && seen_ok;

  int samples = 0;
  int bad_samples = 0;
  int peak_bad = 0;
  int peak_first = 0;
  int seen_bad = 0;
  int seen_first = 0;

  // Compare on both clock edges.
  always @(posedge clk, negedge clk) begin
    samples++;
    if (!all_ok) bad_samples++;
    if (!peak_ok) begin
      if (peak_bad == 0) peak_first = $time;
      peak_bad++;
    end
    if (!seen_ok) begin
      if (seen_bad == 0) seen_first = $time;
      seen_bad++;
    end
  end

  final begin
    if (peak_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "peak", peak_bad, peak_first);
    else $display("Hint: Output '%s' has no mismatches.", "peak");
    if (seen_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "seen", seen_bad, seen_first);
    else $display("Hint: Output '%s' has no mismatches.", "seen");
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
