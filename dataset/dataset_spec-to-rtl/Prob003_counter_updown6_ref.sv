
module RefModule (
  input clk,
  input reset,
  input en,
  input up,
  output reg [5:0] count
);

  always @(posedge clk) begin
    if (reset)
      count <= 6'd0;
    else if (en)
      count <= up ? count + 6'd1 : count - 6'd1;
  end

endmodule
