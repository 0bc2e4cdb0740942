`timescale 1 ps/1 ps

// Stimulus for Prob010_gray_to_binary8: all 256 codes in order, then random codes
module stimulus_gen (
  input clk,
  output logic [7:0] gray
);

  integer seed = 8;
  initial begin
    int i;
    gray <= 8'h00;
    for (i = 0; i < 256; i++) @(posedge clk, negedge clk) gray <= i;
    repeat (100) @(posedge clk, negedge clk) gray <= $random(seed);
    #1 $finish;
  end

endmodule

module tb ();

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic [7:0] gray;
  logic [7:0] bin_ref, bin_dut;

  stimulus_gen stim (.clk(clk), .gray(gray));
  RefModule good (
    .gray(gray),
    .bin(bin_ref)
  );
  TopModule dut (
    .gray(gray),
    .bin(bin_dut)
  );

  // X-tolerant comparison: an X in the reference matches anything, while an X
  // from the design under test only matches an X.
  wire bin_ok = (bin_ref === (bin_ref ^ bin_dut ^ bin_ref));
  wire all_ok = bin_ok;

  int samples = 0;
  int bad_samples = 0;
  int bin_bad = 0;
  int bin_first = 0;

  // Compare on both clock edges.
  always @(posedge clk, negedge clk) begin
    samples++;
    if (!all_ok) bad_samples++;
    if (!bin_ok) begin
      if (bin_bad == 0) bin_first = $time;
      bin_bad++;
    end
  end

  final begin
    if (bin_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "bin", bin_bad, bin_first);
    else $display("Hint: Output '%s' has no mismatches.", "bin");
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
