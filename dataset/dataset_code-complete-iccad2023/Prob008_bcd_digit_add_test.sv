`timescale 1 ps/1 ps

// Stimulus for Prob008_bcd_digit_add: every pair of digits with both carries, then random digits
module stimulus_gen (
  input clk,
  output logic [3:0] a,
  output logic [3:0] b,
  output logic cin
);

  integer seed = 97;
  initial begin
    int i, j;
    {a, b, cin} <= 9'b0;
    for (i = 0; i < 10; i++)
      for (j = 0; j < 20; j++)
        @(posedge clk, negedge clk) begin
          a <= i;
          b <= j >> 1;
          cin <= j & 1;
        end
    repeat (60) @(posedge clk, negedge clk) begin
      a <= {$random(seed)} % 10;
      b <= {$random(seed)} % 10;
      cin <= $random(seed);
    end
    #1 $finish;
  end

endmodule

module tb ();

  logic clk = 1'b0;
  always #5 clk = ~clk;

  logic [3:0] a;
  logic [3:0] b;
  logic cin;
  logic [3:0] sum_ref, sum_dut;
  logic cout_ref, cout_dut;

  stimulus_gen stim (.clk(clk), .a(a), .b(b), .cin(cin));
  RefModule good (
    .a(a),
    .b(b),
    .cin(cin),
    .sum(sum_ref),
    .cout(cout_ref)
  );
  TopModule dut (
    .a(a),
    .b(b),
    .cin(cin),
    .sum(sum_dut),
    .cout(cout_dut)
  );

  // X-tolerant comparison: an X in the reference matches anything, while an X
  // from the design under test only matches an X.
  wire sum_ok = (sum_ref === (sum_ref ^ sum_dut ^ sum_ref));
  wire cout_ok = (cout_ref === (cout_ref ^ cout_dut ^ cout_ref));
  wire all_ok = sum_ok && cout_ok;

  int samples = 0;
  int bad_samples = 0;
  int sum_bad = 0;
  int sum_first = 0;
  int cout_bad = 0;
  int cout_first = 0;

  // Compare on both clock edges.
  always @(posedge clk, negedge clk) begin
    samples++;
    if (!all_ok) bad_samples++;
    if (!sum_ok) begin
      if (sum_bad == 0) sum_first = $time;
      sum_bad++;
    end
    if (!cout_ok) begin
      if (cout_bad == 0) cout_first = $time;
      cout_bad++;
    end
  end

  final begin
    if (sum_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "sum", sum_bad, sum_first);
    else $display("Hint: Output '%s' has no mismatches.", "sum");
    if (cout_bad)
      $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
               "cout", cout_bad, cout_first);
    else $display("Hint: Output '%s' has no mismatches.", "cout");
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
