
module RefModule (
  input clk,
  input reset,
  input [3:0] sig,
  output reg [3:0] rise,
  output reg [3:0] fall
);

  reg [3:0] last;

  always @(posedge clk) begin
    if (reset) begin
      last <= 4'b0000;
      rise <= 4'b0000;
      fall <= 4'b0000;
    end else begin
      last <= sig;
      rise <= sig & ~last;
      fall <= ~sig & last;
    end
  end

endmodule
