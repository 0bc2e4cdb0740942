"""`spec_to_rtl_agent`: Inspect's react() agent with verilogeval's tools, one sample at a time.

The agent gets the same messages as plain generation, then instructions to check its
module with the tools and submit it; its submission is graded like any answer (robust
extraction: a submission is bare code). Each sample gets tools bound to its own problem.
Its numbers are not comparable with plain generation's: the tools show it part of the
oracle (the feedback level, recorded in the log and in an imported run's model name).
"""

from __future__ import annotations

from inspect_ai.agent import AgentSubmit, as_solver, react
from inspect_ai.solver import Generate, Solver, TaskState, solver

from verilogeval.feedback.levels import FeedbackLevel
from verilogeval.inspect_tasks.grading import AnswerGrading
from verilogeval.inspect_tasks.tools import ToolContext, verilog_compile, verilog_simulate

INSTRUCTIONS = """\
You design the Verilog module TopModule that the user asks for. Check your module with \
the tools: verilog_compile compiles it with the problem's testbench, verilog_simulate runs \
that testbench on it. Fix it until it passes, or until you are sure of it. Then call \
submit() with the complete Verilog source of module TopModule and nothing else."""


@solver
def verilog_agent(grading: AnswerGrading, level: FeedbackLevel) -> Solver:
    """react() with verilog_compile and verilog_simulate bound to the sample's problem."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        context = ToolContext(grading, grading.problem(str(state.sample_id)), level)
        agent = react(
            prompt=INSTRUCTIONS,
            tools=[verilog_compile(context), verilog_simulate(context)],
            submit=AgentSubmit(answer_only=True),
        )
        return await as_solver(agent)(state, generate)

    return solve
