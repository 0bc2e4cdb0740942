
module RefModule (
  input [7:0] gray,
  output [7:0] bin
);

  // Unrolling the cascade, bin[i] is the parity of gray[7:i].
  genvar i;

  generate
    for (i = 0; i < 8; i = i + 1) begin : parity
      assign bin[i] = ^gray[7:i];
    end
  endgenerate

endmodule
