
module RefModule (
  input clk,
  input reset,
  input load,
  input [7:0] seed,
  output reg [7:0] state
);

  wire feedback = state[7] ^ state[5] ^ state[4] ^ state[3];

  always @(posedge clk) begin
    if (reset)
      state <= 8'h01;
    else if (load)
      state <= seed;
    else
      state <= {state[6:0], feedback};
  end

endmodule
