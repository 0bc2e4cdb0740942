
module RefModule (
  input [7:0] req,
  output reg [2:0] grant,
  output any
);

  always @(*) begin
    casez (req)
      8'b1???????: grant = 3'd7;
      8'b01??????: grant = 3'd6;
      8'b001?????: grant = 3'd5;
      8'b0001????: grant = 3'd4;
      8'b00001???: grant = 3'd3;
      8'b000001??: grant = 3'd2;
      8'b0000001?: grant = 3'd1;
      default:     grant = 3'd0;
    endcase
  end

  assign any = |req;

endmodule
