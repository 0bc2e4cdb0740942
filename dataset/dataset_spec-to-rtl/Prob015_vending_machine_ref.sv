
module RefModule (
  input clk,
  input reset,
  input nickel,
  input dime,
  output reg vend,
  output reg change
);

  reg [1:0] credit;  // nickels held: 0 to 3
  wire [2:0] total = credit + (dime ? 3'd2 : nickel ? 3'd1 : 3'd0);

  always @(posedge clk) begin
    if (reset) begin
      credit <= 2'd0;
      vend <= 1'b0;
      change <= 1'b0;
    end else if (total >= 3'd4) begin
      credit <= 2'd0;
      vend <= 1'b1;
      change <= (total == 3'd5);
    end else begin
      credit <= total[1:0];
      vend <= 1'b0;
      change <= 1'b0;
    end
  end

endmodule
