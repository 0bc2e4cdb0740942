`timescale 1 ps/1 ps

// Stimulus for Prob009_seq_detect_1101: planted and overlapping patterns, near misses, random bits, resets mid-pattern
module stimulus_gen (
  input clk,
  output logic reset,
  output logic din
);

  integer seed = 1101;
  task send(input [15:0] bits, input int n);
    int i;
    for (i = n - 1; i >= 0; i--) @(negedge clk) din <= bits[i];
  endtask
  initial begin
    reset <= 1'b1;
    din <= 1'b1;
    repeat (2) @(negedge clk);
    reset <= 1'b0;
    send(16'b1101, 4);
    send(16'b0, 2);
    send(16'b1101101, 7);
    send(16'b0, 1);
    send(16'b1111011101, 10);
    send(16'b100101001, 9);
    send(16'b110, 3);
    @(negedge clk) begin din <= 1'b1; reset <= 1'b1; end
    @(negedge clk) reset <= 1'b0;
    send(16'b0101101, 7);
    repeat (400) @(negedge clk) begin
      din <= ($random(seed) & 3) != 0;
      reset <= ($random(seed) & 127) == 0;
    end
    reset <= 1'b0;
    send(16'b1101, 4);
    repeat (3) @(negedge clk);
    #1 $finish;
  end

endmodule

module tb ();

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic reset;
  logic din;
  logic found_ref, found_dut;

  stimulus_gen stim (.clk(clk), .reset(reset), .din(din));
  RefModule good (
    .clk(clk),
    .reset(reset),
    .din(din),
    .found(found_ref)
  );
  TopModule dut (
    .clk(clk),
    .reset(reset),
    .din(din),
    .found(found_dut)
  );

  // X-tolerant comparison: an X in the reference matches anything, while an X
  // from the design under test only matches an X.
  wire found_ok = (found_ref === (found_ref ^ found_dut ^ found_ref));
  wire all_ok = found_ok;

  int samples = 0;
  int bad_samples = 0;
  int found_bad = 0;
  int found_first = 0;

  // Compare on both clock edges.
  always @(posedge clk, negedge clk) begin
    samples++;
    if (!all_ok) bad_samples++;
    if (!found_ok) begin
      if (found_bad == 0) found_first = $time;
      found_bad++;
    end
  end

  final begin
    if (found_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "found", found_bad, found_first);
    else $display("Hint: Output '%s' has no mismatches.", "found");
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
