
module RefModule (
  input [7:0] a,
  input [7:0] b,
  output [7:0] sum,
  output clipped
);

  wire [8:0] wide = {a[7], a} + {b[7], b};
  wire overflow = wide[8] != wide[7];

  assign sum = overflow ? (wide[8] ? 8'h80 : 8'h7f) : wide[7:0];
  assign clipped = overflow;

endmodule
