
module RefModule (
  input clk,
  input reset,
  input din,
  output found
);

  localparam IDLE = 3'd0, GOT1 = 3'd1, GOT11 = 3'd2, GOT110 = 3'd3, HIT = 3'd4;

  reg [2:0] state;
  reg [2:0] next;

  always @(*) begin
    case (state)
      IDLE:   next = din ? GOT1 : IDLE;
      GOT1:   next = din ? GOT11 : IDLE;
      GOT11:  next = din ? GOT11 : GOT110;
      GOT110: next = din ? HIT : IDLE;
      HIT:    next = din ? GOT11 : IDLE;
      default: next = IDLE;
    endcase
  end

  always @(posedge clk) begin
    if (reset)
      state <= IDLE;
    else
      state <= next;
  end

  assign found = (state == HIT);

endmodule
