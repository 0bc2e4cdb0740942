
module RefModule (
  input [15:0] data,
  input [3:0] amt,
  input left,
  output [15:0] out
);

  wire [31:0] doubled = {data, data};
  wire [31:0] to_left = doubled << amt;
  wire [31:0] to_right = doubled >> amt;

  assign out = left ? to_left[31:16] : to_right[15:0];

endmodule
