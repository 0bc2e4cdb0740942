"""Python testbench: a binary count model converted to Gray code, with random enables and
resets; the first cycles hold reset so the state is defined."""

import random

import cocotb
from verilogeval_tb import Scoreboard, clock_cycle


@cocotb.test()
async def gray_counter(top):
    board = Scoreboard(top)
    rng = random.Random(21)
    top.in_clk.value = 0
    count = 0
    for cycle in range(300):
        reset = int(cycle < 2 or rng.random() < 0.03)
        enable = int(rng.random() < 0.8)
        top.in_reset.value = reset
        top.in_en.value = enable
        await clock_cycle(top.in_clk)
        count = 0 if reset else (count + enable) % 16
        board.check({"gray": count ^ (count >> 1)})
    board.finish()
