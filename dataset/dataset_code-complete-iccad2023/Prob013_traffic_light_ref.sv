
module RefModule (
  input clk,
  input reset,
  input car,
  output [1:0] main_lt,
  output [1:0] side_lt
);

  localparam MAIN_GREEN = 2'd0, MAIN_YELLOW = 2'd1, SIDE_GREEN = 2'd2, SIDE_YELLOW = 2'd3;
  localparam RED = 2'b00, YELLOW = 2'b01, GREEN = 2'b10;

  reg [1:0] phase;
  reg [1:0] cycles;  // cycles already completed in this phase, saturating at 3

  always @(posedge clk) begin
    if (reset) begin
      phase <= MAIN_GREEN;
      cycles <= 2'd0;
    end else begin
      case (phase)
        MAIN_GREEN:
          if (car && cycles == 2'd3) begin
            phase <= MAIN_YELLOW;
            cycles <= 2'd0;
          end else if (cycles != 2'd3) begin
            cycles <= cycles + 2'd1;
          end
        MAIN_YELLOW:
          if (cycles == 2'd1) begin
            phase <= SIDE_GREEN;
            cycles <= 2'd0;
          end else begin
            cycles <= cycles + 2'd1;
          end
        SIDE_GREEN:
          if (cycles == 2'd2) begin
            phase <= SIDE_YELLOW;
            cycles <= 2'd0;
          end else begin
            cycles <= cycles + 2'd1;
          end
        default:
          if (cycles == 2'd1) begin
            phase <= MAIN_GREEN;
            cycles <= 2'd0;
          end else begin
            cycles <= cycles + 2'd1;
          end
      endcase
    end
  end

  assign main_lt = (phase == MAIN_GREEN) ? GREEN : (phase == MAIN_YELLOW) ? YELLOW : RED;
  assign side_lt = (phase == SIDE_GREEN) ? GREEN : (phase == SIDE_YELLOW) ? YELLOW : RED;

endmodule
