
module RefModule (
  input [15:0] data,
  input [3:0] amt,
  input left,
  output [15:0] out
);

  // In two copies of data side by side, every rotation is a 16-bit window.
  wire [31:0] doubled = {data, data};
  wire [4:0] shift = {1'b0, amt};

  assign out = left ? doubled[5'd31 - shift -: 16] : doubled[shift +: 16];

endmodule
