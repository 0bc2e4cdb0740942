`timescale 1 ps/1 ps

// Stimulus for Prob013_traffic_light: a car waiting all the time, no car, short car pulses, random traffic, resets mid-cycle
module stimulus_gen (
  input clk,
  output logic reset,
  output logic car
);

  integer seed = 404;
  initial begin
    reset <= 1'b1;
    car <= 1'b1;
    repeat (2) @(negedge clk);
    reset <= 1'b0;
    repeat (30) @(negedge clk);
    car <= 1'b0;
    repeat (10) @(negedge clk);
    @(negedge clk) car <= 1'b1;
    @(negedge clk) car <= 1'b0;
    repeat (4) @(negedge clk);
    @(negedge clk) car <= 1'b1;
    @(negedge clk) car <= 1'b0;
    repeat (12) @(negedge clk);
    car <= 1'b1;
    repeat (6) @(negedge clk);
    reset <= 1'b1;
    @(negedge clk) reset <= 1'b0;
    repeat (400) @(negedge clk) begin
      car <= ($random(seed) & 3) == 0;
      reset <= ($random(seed) & 127) == 0;
    end
    #1 $finish;
  end

endmodule

module tb ();

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic reset;
  logic car;
  logic [1:0] main_lt_ref, main_lt_dut;
  logic [1:0] side_lt_ref, side_lt_dut;

  stimulus_gen stim (.clk(clk), .reset(reset), .car(car));
  RefModule good (
    .clk(clk),
    .reset(reset),
    .car(car),
    .main_lt(main_lt_ref),
    .side_lt(side_lt_ref)
  );
  TopModule dut (
    .clk(clk),
    .reset(reset),
    .car(car),
    .main_lt(main_lt_dut),
    .side_lt(side_lt_dut)
  );

  // X-tolerant comparison: an X in the reference matches anything, while an X
  // from the design under test only matches an X.
  wire main_lt_ok = (main_lt_ref === (main_lt_ref ^ main_lt_dut ^ main_lt_ref));
  wire side_lt_ok = (side_lt_ref === (side_lt_ref ^ side_lt_dut ^ side_lt_ref));
  wire all_ok = main_lt_ok && side_lt_ok;

  int samples = 0;
  int bad_samples = 0;
  int main_lt_bad = 0;
  int main_lt_first = 0;
  int side_lt_bad = 0;
  int side_lt_first = 0;

  // Compare on both clock edges.
  always @(posedge clk, negedge clk) begin
    samples++;
    if (!all_ok) bad_samples++;
    if (!main_lt_ok) begin
      if (main_lt_bad == 0) main_lt_first = $time;
      main_lt_bad++;
    end
    if (!side_lt_ok) begin
      if (side_lt_bad == 0) side_lt_first = $time;
      side_lt_bad++;
    end
  end

  final begin
    if (main_lt_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "main_lt", main_lt_bad, main_lt_first);
    else $display("Hint: Output '%s' has no mismatches.", "main_lt");
    if (side_lt_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "side_lt", side_lt_bad, side_lt_first);
    else $display("Hint: Output '%s' has no mismatches.", "side_lt");
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
