"""Python testbench: every one-hot and one-cold value, the extremes, then random values."""

import random

import cocotb
from cocotb.triggers import Timer
from verilogeval_tb import Scoreboard


@cocotb.test()
async def popcount(top):
    board = Scoreboard(top)
    rng = random.Random(20)
    values = [0, 0xFFFF]
    values += [1 << bit for bit in range(16)]
    values += [0xFFFF ^ (1 << bit) for bit in range(16)]
    values += [rng.getrandbits(16) for _ in range(200)]
    for value in values:
        top.in_in.value = value
        await Timer(5, unit="ns")
        board.check({"count": bin(value).count("1")})
    board.finish()
