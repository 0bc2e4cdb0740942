`timescale 1 ps/1 ps

// Stimulus for Prob003_counter_updown6: reset, count up past a wrap, down past a wrap, random enable and direction, resets mid-run
module stimulus_gen (
  input clk,
  output logic reset,
  output logic en,
  output logic up
);

  integer seed = 5;
  initial begin
    reset <= 1'b1;
    en <= 1'b0;
    up <= 1'b1;
    repeat (2) @(negedge clk);
    reset <= 1'b0;
    en <= 1'b1;
    repeat (70) @(negedge clk);
    up <= 1'b0;
    repeat (80) @(negedge clk);
    en <= 1'b0;
    repeat (3) @(negedge clk);
    reset <= 1'b1;
    @(negedge clk) reset <= 1'b0;
    repeat (300) @(negedge clk) begin
      en <= ($random(seed) & 3) != 0;
      up <= ($random(seed) & 7) < 5;
      reset <= ($random(seed) & 63) == 0;
    end
    en <= 1'b1;
    up <= 1'b1;
    reset <= 1'b1;
    @(negedge clk);
    reset <= 1'b0;
    repeat (10) @(negedge clk);
    #1 $finish;
  end

endmodule

module tb ();

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic reset;
  logic en;
  logic up;
  logic [5:0] count_ref, count_dut;

  stimulus_gen stim (.clk(clk), .reset(reset), .en(en), .up(up));
  RefModule good (
    .clk(clk),
    .reset(reset),
    .en(en),
    .up(up),
    .count(count_ref)
  );
  TopModule dut (
    .clk(clk),
    .reset(reset),
    .en(en),
    .up(up),
    .count(count_dut)
  );

  // X-tolerant comparison: an X in the reference matches anything, while an X
  // from the design under test only matches an X.
  wire count_ok = (count_ref === (count_ref ^ count_dut ^ count_ref));
  wire all_ok = count_ok;

  int samples = 0;
  int bad_samples = 0;
  int count_bad = 0;
  int count_first = 0;

  // Compare on both clock edges.
  always @(posedge clk, negedge clk) begin
    samples++;
    if (!all_ok) bad_samples++;
    if (!count_ok) begin
      if (count_bad == 0) count_first = $time;
      count_bad++;
    end
  end

  final begin
    if (count_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "count", count_bad, count_first);
    else $display("Hint: Output '%s' has no mismatches.", "count");
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
