
module RefModule (
  input [4:0] v,
  output maj
);

  wire [2:0] ones = {2'b00, v[0]} + {2'b00, v[1]} + {2'b00, v[2]} + {2'b00, v[3]} + {2'b00, v[4]};
  assign maj = (ones >= 3'd3);

endmodule
