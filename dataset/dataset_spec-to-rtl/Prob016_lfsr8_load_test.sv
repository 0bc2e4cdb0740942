`timescale 1 ps/1 ps

// Stimulus for Prob016_lfsr8_load: a full period from reset, loaded seeds including zero, resets mid-run
module stimulus_gen (
  input clk,
  output logic reset,
  output logic load,
  output logic [7:0] seed
);

  integer rng = 16;
  initial begin
    reset <= 1'b1;
    load <= 1'b0;
    seed <= 8'h00;
    repeat (2) @(negedge clk);
    reset <= 1'b0;
    repeat (260) @(negedge clk);
    {load, seed} <= {1'b1, 8'h00};
    @(negedge clk) load <= 1'b0;
    repeat (4) @(negedge clk);
    {load, seed} <= {1'b1, 8'hb6};
    @(negedge clk) load <= 1'b0;
    repeat (20) @(negedge clk);
    reset <= 1'b1;
    @(negedge clk) reset <= 1'b0;
    repeat (300) @(negedge clk) begin
      load <= ($random(rng) & 15) == 0;
      seed <= $random(rng);
      reset <= ($random(rng) & 63) == 0;
    end
    #1 $finish;
  end

endmodule

module tb ();

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic reset;
  logic load;
  logic [7:0] seed;
  logic [7:0] state_ref, state_dut;

  stimulus_gen stim (.clk(clk), .reset(reset), .load(load), .seed(seed));
  RefModule good (
    .clk(clk),
    .reset(reset),
    .load(load),
    .seed(seed),
    .state(state_ref)
  );
  TopModule dut (
    .clk(clk),
    .reset(reset),
    .load(load),
    .seed(seed),
    .state(state_dut)
  );

  // X-tolerant comparison: an X in the reference matches anything, while an X
  // from the design under test only matches an X.
  wire state_ok = (state_ref === (state_ref ^ state_dut ^ state_ref));
  wire all_ok = state_ok;

  int samples = 0;
  int bad_samples = 0;
  int state_bad = 0;
  int state_first = 0;

  // Compare on both clock edges.
  always @(posedge clk, negedge clk) begin
    samples++;
    if (!all_ok) bad_samples++;
    if (!state_ok) begin
      if (state_bad == 0) state_first = $time;
      state_bad++;
    end
  end

  final begin
    if (state_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "state", state_bad, state_first);
    else $display("Hint: Output '%s' has no mismatches.", "state");
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
