
module RefModule (
  input clk,
  input reset,
  input load,
  input shift,
  input sin,
  input [7:0] d,
  output reg [7:0] q,
  output sout
);

  always @(posedge clk) begin
    if (reset)
      q <= 8'h00;
    else if (load)
      q <= d;
    else if (shift)
      q <= {q[6:0], sin};
  end

  assign sout = q[7];

endmodule
