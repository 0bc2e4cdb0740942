
module RefModule (
  input [7:0] gray,
  output [7:0] bin
);

  genvar i;

  assign bin[7] = gray[7];
  generate
    for (i = 6; i >= 0; i = i - 1) begin : cascade
      assign bin[i] = bin[i + 1] ^ gray[i];
    end
  endgenerate

endmodule
