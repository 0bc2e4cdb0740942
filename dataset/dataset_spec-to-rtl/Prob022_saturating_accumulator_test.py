"""Python testbench: mostly small addends so the accumulator spends time below the limit,
some large ones to reach it, and resets now and then to leave it again."""

import random

import cocotb
from verilogeval_tb import Scoreboard, clock_cycle


@cocotb.test()
async def saturating_accumulator(top):
    board = Scoreboard(top)
    rng = random.Random(22)
    top.in_clk.value = 0
    total = 0
    for cycle in range(300):
        reset = int(cycle < 2 or rng.random() < 0.06)
        valid = int(rng.random() < 0.7)
        addend = rng.getrandbits(8) if rng.random() < 0.2 else rng.getrandbits(4)
        top.in_reset.value = reset
        top.in_valid.value = valid
        top.in_in.value = addend
        await clock_cycle(top.in_clk)
        if reset:
            total = 0
        elif valid:
            total = min(255, total + addend)
        board.check({"total": total})
    board.finish()
