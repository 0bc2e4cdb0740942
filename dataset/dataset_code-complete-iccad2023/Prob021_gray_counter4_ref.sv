
module RefModule (
  input clk,
  input reset,
  input en,
  output [3:0] gray
);

  reg [3:0] count;

  always @(posedge clk) begin
    if (reset)
      count <= 4'd0;
    else if (en)
      count <= count + 4'd1;
  end

  assign gray = count ^ {1'b0, count[3:1]};

endmodule
