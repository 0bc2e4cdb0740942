
module RefModule (
  input clk,
  input reset,
  input valid,
  input [7:0] data,
  output reg [7:0] peak,
  output reg seen
);

  always @(posedge clk) begin
    if (reset) begin
      peak <= 8'd0;
      seen <= 1'b0;
    end else if (valid) begin
      seen <= 1'b1;
      if (data > peak)
        peak <= data;
    end
  end

endmodule
