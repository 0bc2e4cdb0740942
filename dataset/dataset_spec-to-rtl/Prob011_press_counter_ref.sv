
module RefModule (
  input clk,
  input reset,
  input btn,
  output reg [7:0] presses
);

  reg [1:0] highs;
  reg held;

  always @(posedge clk) begin
    if (reset) begin
      highs <= 2'd0;
      held <= 1'b0;
      presses <= 8'd0;
    end else if (!btn) begin
      highs <= 2'd0;
      held <= 1'b0;
    end else if (!held) begin
      if (highs == 2'd2) begin
        highs <= 2'd0;
        held <= 1'b1;
        presses <= presses + 8'd1;
      end else begin
        highs <= highs + 2'd1;
      end
    end
  end

endmodule
