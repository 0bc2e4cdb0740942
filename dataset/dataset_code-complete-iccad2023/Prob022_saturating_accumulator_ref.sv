
module RefModule (
  input clk,
  input reset,
  input valid,
  input [7:0] in,
  output reg [7:0] total
);

  wire [8:0] sum = {1'b0, total} + {1'b0, in};

  always @(posedge clk) begin
    if (reset)
      total <= 8'd0;
    else if (valid)
      total <= sum[8] ? 8'hff : sum[7:0];
  end

endmodule
