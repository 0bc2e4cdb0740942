"""`run --dry-run`: what a run would ask and what it would cost, before anything is sent.

The prompt tokens are estimated from the real prompts at four characters a token (the
rule of thumb for English with OpenAI's tokenizers; code and markup run a little denser,
so the estimate leans low). The answers' length is unknown before they arrive, so their
tokens and cost are given as a ceiling: --max-tokens for every answer. Prices come from
the model map (verilogeval.generation.models.pricing); a model it does not price, or any
model behind --api-base, is "unknown", never free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from verilogeval.checks.registry import check_settings_types
from verilogeval.generation.models.pricing import run_prices
from verilogeval.generation.models.registry import resolve
from verilogeval.orchestration.plans import RunPlan
from verilogeval.prompting.builder import build_prompt
from verilogeval.records import Usage
from verilogeval.runfolder.lines import read_generations
from verilogeval.runfolder.manifest import check_resumable
from verilogeval.wording import plural, some_names

CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class Estimate:
    """What a run plan would send; tokens and cost of what is still to be asked."""

    problems: tuple[str, ...]
    asks_model: bool  # False for oracle and replay: answers come from files
    samples: int  # per problem
    answered: int  # answers the run folder already holds (not asked again)
    requests: int  # still to send
    prompt_tokens: int  # estimated, over the requests still to send
    completion_ceiling: int  # --max-tokens for each request
    prompt_cost: float | None  # USD; None: no price known
    ceiling_cost: float | None  # prompts and every answer at its ceiling


def estimate(plan: RunPlan) -> Estimate:
    """The plan's requests, tokens and cost; reads the run folder, writes nothing. A folder
    the run would refuse (other parameters) is refused here too, in the same words."""
    check_resumable(plan.folder, plan.resumed().manifest(), check_settings_types())  # as run does
    asking = plan.generate
    adapter, model = resolve(asking.model)
    sends = adapter in ("openai", "litellm")
    samples = asking.sampling.n
    answered = {line.key for line in read_generations(asking.folder.generations) if not line.error}
    characters = 0
    requests = 0
    for problem in asking.problems:
        todo = sum((problem.name, s) not in answered for s in range(1, samples + 1))
        if sends and todo:
            prompt = build_prompt(asking.dataset, problem, asking.prompt)
            characters += todo * sum(len(m["content"]) for m in prompt.messages())
        requests += todo if sends else 0
    prompt_tokens = -(-characters // CHARS_PER_TOKEN)
    ceiling = requests * asking.sampling.max_tokens
    # the prices the adapter would bill at (another server's are unknown unless given)
    billed_as = f"openai/{model}" if adapter == "openai" else model
    settings = asking.adapter
    prices = run_prices(billed_as, settings.api_base, settings.prices) if sends else None
    return Estimate(
        problems=tuple(problem.name for problem in asking.problems),
        asks_model=sends,
        samples=samples,
        answered=len(answered),
        requests=requests,
        prompt_tokens=prompt_tokens,
        completion_ceiling=ceiling,
        prompt_cost=prices.cost(Usage(prompt_tokens, 0)) if prices else None,
        ceiling_cost=prices.cost(Usage(prompt_tokens, ceiling)) if prices else None,
    )


def describe(plan: RunPlan, found: Estimate) -> list[str]:
    """The dry run's report, one fact a line."""
    asking = plan.generate
    lines = [
        f"dry run of {asking.model} into {asking.out}: nothing is sent or written",
        f"problems       {plural(len(found.problems), 'problem')} of {asking.dataset.task}: "
        f"{some_names(found.problems)}",
    ]
    asked = f"{plural(len(found.problems), 'problem')} x {plural(found.samples, 'sample')}"
    before = f"; {found.answered} already answered in {asking.out}" if found.answered else ""
    if not found.asks_model:
        lines.append(f"requests       0 ({asking.model} asks no model{before})")
        lines.append("cost           $0")
        return lines
    lines += [
        f"requests       {found.requests} ({asked}{before})",
        f"prompt tokens  ~{found.prompt_tokens:,} (estimate: characters / {CHARS_PER_TOKEN} "
        "of the prompts still to send)",
        f"answer tokens  at most {found.completion_ceiling:,} "
        f"(--max-tokens {asking.sampling.max_tokens} per request)",
    ]
    if plan.repair is not None:  # the figures above are the first round's
        rounds = plan.repair.rounds + 1
        lines.append(
            f"repair         {plan.repair.rounds} more rounds for each failed sample: at most "
            f"{found.requests * rounds} requests, each later one with its conversation "
            "(the figures above are the first round's)"
        )
    if found.prompt_cost is None or found.ceiling_cost is None:
        why = "a server of its own (--api-base)" if asking.adapter.api_base else "not in the map"
        lines.append(f"cost           unknown (no price for {asking.model}: {why})")
    else:
        lines.append(
            f"cost           ${found.prompt_cost:.2f} for the prompts, at most "
            f"${found.ceiling_cost:.2f} with every answer at --max-tokens "
            "(answers in the response cache cost nothing)"
        )
    return lines


def describe_total(estimates: Sequence[Estimate]) -> str:
    """One line over several runs (a sweep's): requests, prompt tokens and cost."""
    requests = sum(found.requests for found in estimates)
    tokens = sum(found.prompt_tokens for found in estimates)
    asking = [found for found in estimates if found.requests]
    priced = [found for found in asking if found.ceiling_cost is not None]
    cost = (
        f"${sum(found.prompt_cost or 0.0 for found in priced):.2f} for the prompts, at most "
        f"${sum(found.ceiling_cost or 0.0 for found in priced):.2f}"
        if priced
        else "$0"
    )
    unknown = len(asking) - len(priced)
    cost += f" (and unknown for {plural(unknown, 'run')})" if unknown else ""
    return f"{plural(requests, 'request')}, ~{tokens:,} prompt tokens, cost {cost}"
