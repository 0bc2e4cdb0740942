
module RefModule (
  input [15:0] in,
  output reg [4:0] count
);

  integer i;

  always @(*) begin
    count = 5'd0;
    for (i = 0; i < 16; i = i + 1)
      count = count + {4'd0, in[i]};
  end

endmodule
