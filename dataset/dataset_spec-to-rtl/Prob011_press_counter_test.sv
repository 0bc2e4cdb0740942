`timescale 1 ps/1 ps

// Stimulus for Prob011_press_counter: bounces of 1 and 2 samples, long holds, enough presses to wrap, resets during a hold
module stimulus_gen (
  input clk,
  output logic reset,
  output logic btn
);

  integer seed = 2024;
  task pulse(input int high, input int low);
    repeat (high) @(negedge clk) btn <= 1'b1;
    repeat (low) @(negedge clk) btn <= 1'b0;
  endtask
  initial begin
    reset <= 1'b1;
    btn <= 1'b1;
    repeat (3) @(negedge clk);
    reset <= 1'b0;
    repeat (4) @(negedge clk);
    btn <= 1'b0;
    @(negedge clk);
    pulse(1, 1);
    pulse(2, 1);
    pulse(3, 1);
    pulse(2, 2);
    pulse(8, 2);
    pulse(4, 1);
    btn <= 1'b1;
    repeat (2) @(negedge clk);
    reset <= 1'b1;
    @(negedge clk) reset <= 1'b0;
    repeat (3) @(negedge clk);
    pulse(0, 1);
    repeat (280) pulse(3 + ({$random(seed)} % 3), 1 + ({$random(seed)} % 2));
    repeat (150) @(negedge clk) btn <= $random(seed);
    reset <= 1'b1;
    @(negedge clk) reset <= 1'b0;
    pulse(3, 3);
    #1 $finish;
  end

endmodule

module tb ();

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic reset;
  logic btn;
  logic [7:0] presses_ref, presses_dut;

  stimulus_gen stim (.clk(clk), .reset(reset), .btn(btn));
  RefModule good (
    .clk(clk),
    .reset(reset),
    .btn(btn),
    .presses(presses_ref)
  );
  TopModule dut (
    .clk(clk),
    .reset(reset),
    .btn(btn),
    .presses(presses_dut)
  );

  // X-tolerant comparison: an X in the reference matches anything, while an X
  // from the design under test only matches an X.
  wire presses_ok = (presses_ref === (presses_ref ^ presses_dut ^ presses_ref));
  wire all_ok = presses_ok;

  int samples = 0;
  int bad_samples = 0;
  int presses_bad = 0;
  int presses_first = 0;

  // Compare on both clock edges.
  always @(posedge clk, negedge clk) begin
    samples++;
    if (!all_ok) bad_samples++;
    if (!presses_ok) begin
      if (presses_bad == 0) presses_first = $time;
      presses_bad++;
    end
  end

  final begin
    if (presses_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "presses", presses_bad, presses_first);
    else $display("Hint: Output '%s' has no mismatches.", "presses");
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
