
module RefModule (
  input [3:0] digit,
  input blank,
  output [6:0] seg
);

  reg [6:0] lit;

  always @(*) begin
    case (digit)
      4'h0: lit = 7'b0111111;
      4'h1: lit = 7'b0000110;
      4'h2: lit = 7'b1011011;
      4'h3: lit = 7'b1001111;
      4'h4: lit = 7'b1100110;
      4'h5: lit = 7'b1101101;
      4'h6: lit = 7'b1111101;
      4'h7: lit = 7'b0000111;
      4'h8: lit = 7'b1111111;
      4'h9: lit = 7'b1101111;
      4'ha: lit = 7'b1110111;
      4'hb: lit = 7'b1111100;
      4'hc: lit = 7'b0111001;
      4'hd: lit = 7'b1011110;
      4'he: lit = 7'b1111001;
      default: lit = 7'b1110001;
    endcase
  end

  assign seg = blank ? 7'b0000000 : lit;

endmodule
