
module RefModule (
  input [3:0] a,
  input [3:0] b,
  input cin,
  output [3:0] sum,
  output cout
);

  wire [4:0] total = {1'b0, a} + {1'b0, b} + {4'b0000, cin};
  wire [4:0] adjusted = total + 5'd6;

  assign {cout, sum} = (total > 5'd9) ? adjusted : total;

endmodule
