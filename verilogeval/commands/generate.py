"""`verilogeval generate`: ask a model for every sample of every selected problem.

Writes RUNDIR/prompts.jsonl (the exact messages) and appends to RUNDIR/generations.jsonl
as each answer arrives. Rerunning resumes: samples already answered without error are not
asked again, and the disk cache makes repeated configurations free.

The option groups and their parsers here are shared with `verilogeval run`.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from verilogeval.commands.options import (
    add_dataset_options,
    add_prompt_options,
    dataset_from_args,
    prompt_config_from_args,
)
from verilogeval.errors import UserError
from verilogeval.generate import (
    EngineConfig,
    GenerationCache,
    RetryPolicy,
    generate,
    generation_record,
    latest_generations,
    write_prompts,
)
from verilogeval.journal import Journal, read_journal
from verilogeval.models.base import (
    PRESETS,
    AdapterSettings,
    Preset,
    ReasoningEffort,
    Request,
    SamplingConfig,
)
from verilogeval.models.capabilities import REASONING_MAX_TOKENS
from verilogeval.models.params import learned_warnings
from verilogeval.models.registry import get_adapter, with_model_defaults
from verilogeval.prompt import build_prompt
from verilogeval.records import Generation

GENERATIONS_FILE = "generations.jsonl"
PROMPTS_FILE = "prompts.jsonl"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_dataset_options(parser)
    add_prompt_options(parser)
    add_model_options(parser)
    add_sampling_options(parser)
    add_cache_options(parser)
    parser.add_argument("--out", type=Path, required=True, help="run folder (RUNDIR)")
    parser.add_argument("--quiet", action="store_true", help="no progress display")


def add_model_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model")
    group.add_argument(
        "--model",
        required=True,
        help="alias, oracle, replay:PATH, openai:NAME or litellm provider/model "
        "(see 'verilogeval models')",
    )
    group.add_argument("--api-base", default=None, help="base URL of an OpenAI-compatible server")
    group.add_argument("--concurrency", type=int, default=8, help="requests at once (default 8)")
    group.add_argument("--rpm", type=float, default=None, help="requests per minute at most")
    group.add_argument(
        "--request-timeout",
        type=float,
        default=120.0,
        help="seconds per model request (default 120)",
    )
    group.add_argument(
        "--retries", type=int, default=5, help="retries of a failed request (default 5)"
    )


def add_cache_options(parser: argparse.ArgumentParser) -> None:
    """--cache-dir and --no-cache of the response cache (`run` takes them from its grading)."""
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="response cache (default: $XDG_CACHE_HOME or ~/.cache, /verilogeval/gen)",
    )
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")


def add_sampling_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("sampling")
    group.add_argument(
        "--preset",
        type=Preset,
        choices=list(Preset),
        default=None,
        help="greedy: n=1 T=0 top_p=0.01; sampling: n=20 T=0.8 top_p=0.95 "
        "(default: greedy, or sampling when --samples > 1); flags below override",
    )
    group.add_argument("--samples", type=int, default=None, help="samples per problem (n)")
    group.add_argument("--temperature", type=float, default=None)
    group.add_argument("--top-p", type=float, default=None)
    group.add_argument(
        "--max-tokens",
        type=int,
        default=None,
        help="output budget, thinking included (default 1024; for a reasoning model its own "
        f"maximum from litellm's map, else {REASONING_MAX_TOKENS})",
    )
    group.add_argument("--seed", type=int, default=None)
    group.add_argument(
        "--reasoning-effort",
        type=ReasoningEffort,
        choices=list(ReasoningEffort),
        default=None,
        help="how hard a reasoning model thinks (default: the alias's, else the provider's)",
    )
    group.add_argument(
        "--thinking-budget",
        type=int,
        default=None,
        metavar="TOKENS",
        help="tokens a thinking model may think (Anthropic, Gemini, ...); within --max-tokens",
    )


def sampling_config_from_args(args: argparse.Namespace) -> SamplingConfig:
    """The preset's values with the explicit flags laid over them."""
    preset = args.preset
    if preset is None:
        preset = Preset.SAMPLING if (args.samples or 1) > 1 else Preset.GREEDY
    base = PRESETS[preset]
    overrides = {
        "n": args.samples,
        "temperature": args.temperature,
        "top_p": args.top_p,
        "max_tokens": args.max_tokens,
        "seed": args.seed,
        "reasoning_effort": args.reasoning_effort,
        "thinking_budget": args.thinking_budget,
    }
    config = dataclasses.replace(base, **{k: v for k, v in overrides.items() if v is not None})
    config = with_model_defaults(config, args.model, max_tokens_given=args.max_tokens is not None)
    if config.n < 1:
        raise UserError(f"--samples must be at least 1 (got {config.n})")
    if config.temperature < 0:
        raise UserError(f"--temperature must not be negative (got {config.temperature})")
    if not 0 < config.top_p <= 1:
        raise UserError(f"--top-p must be in (0, 1] (got {config.top_p})")
    if config.max_tokens < 1:
        raise UserError(f"--max-tokens must be at least 1 (got {config.max_tokens})")
    return config


def engine_config_from_args(args: argparse.Namespace) -> EngineConfig:
    if args.concurrency < 1:
        raise UserError(f"--concurrency must be at least 1 (got {args.concurrency})")
    if args.rpm is not None and args.rpm <= 0:
        raise UserError(f"--rpm must be positive (got {args.rpm})")
    if args.request_timeout <= 0:
        raise UserError(f"--request-timeout must be positive (got {args.request_timeout})")
    if args.retries < 0:
        raise UserError(f"--retries must not be negative (got {args.retries})")
    return EngineConfig(
        concurrency=args.concurrency,
        rpm=args.rpm,
        timeout_s=args.request_timeout,
        retry=RetryPolicy(attempts=args.retries + 1),
    )


def cache_from_args(args: argparse.Namespace) -> GenerationCache | None:
    if args.no_cache:
        return None
    if args.cache_dir is not None:
        return GenerationCache(args.cache_dir)
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return GenerationCache(Path(cache_home) / "verilogeval" / "gen")


def adapter_settings_from_args(args: argparse.Namespace) -> AdapterSettings:
    return AdapterSettings(api_base=args.api_base, timeout_s=args.request_timeout)


def run(args: argparse.Namespace) -> int:
    dataset, problems = dataset_from_args(args)
    prompt_config = prompt_config_from_args(args, dataset)
    sampling = sampling_config_from_args(args)
    engine = engine_config_from_args(args)
    adapter = get_adapter(args.model, adapter_settings_from_args(args))  # fails before any work
    prompts = {problem.name: build_prompt(dataset, problem, prompt_config) for problem in problems}
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    write_prompts(out / PROMPTS_FILE, prompts)

    generations_path = out / GENERATIONS_FILE
    try:
        journaled = latest_generations(read_journal(generations_path))
    except (ValueError, KeyError) as error:
        raise UserError(f"{generations_path}: unreadable ({error})") from None
    done = {key for key, generation in journaled.items() if generation.error is None}
    requests = [
        Request(problem=problem, prompt=prompts[problem.name], sample=sample, sampling=sampling)
        for problem in problems
        for sample in range(1, sampling.n + 1)
        if (problem.name, sample) not in done
    ]
    display = _Display(len(requests), quiet=args.quiet)
    with Journal(generations_path) as journal:

        def on_generation(generation: Generation) -> None:
            journal.append(generation_record(generation))
            display.advance(generation)

        try:
            generations = generate(
                adapter, requests, engine, cache=cache_from_args(args), on_generation=on_generation
            )
        finally:
            display.stop()
    _print_summary(generations, skipped=sampling.n * len(problems) - len(requests), out=out)
    for warning in learned_warnings(adapter.request_record(sampling)):
        print(f"verilogeval generate: {warning}", file=sys.stderr)
    return 1 if any(generation.error is not None for generation in generations) else 0


class _Display:
    """A progress bar on stderr (rich), or nothing with --quiet."""

    def __init__(self, total: int, *, quiet: bool) -> None:
        self._bar = None
        if quiet or total == 0:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self._bar = Progress(
            "generate",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            "{task.fields[errors]}",
            console=Console(stderr=True),
        )
        self._task = self._bar.add_task("generate", total=total, errors="")
        self._errors = 0
        self._bar.start()

    def advance(self, generation: Generation) -> None:
        if self._bar is None:
            return
        self._errors += generation.error is not None
        errors = f"{self._errors} errors" if self._errors else ""
        self._bar.update(self._task, advance=1, errors=errors)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _print_summary(generations: list[Generation], *, skipped: int, out: Path) -> None:
    errors = [g for g in generations if g.error is not None]
    cached = sum(g.cached for g in generations)
    costs = [g.cost for g in generations if not g.cached and g.error is None]
    known = [c for c in costs if c is not None]
    if not costs:
        cost = "$0 (nothing requested)"
    elif not known:
        cost = "unknown (no price for this model)"
    else:
        cost = f"${sum(known):.4f}"
        if len(known) < len(costs):
            cost += f" (+{len(costs) - len(known)} unpriced)"
    print(
        f"{out / GENERATIONS_FILE}: {len(generations) - len(errors)} generated "
        f"({cached} from cache), {len(errors)} errors, {skipped} already done; cost {cost}"
    )
    for generation in errors[:5]:
        print(
            f"  error {generation.problem} sample {generation.sample}: {generation.error}",
            file=sys.stderr,
        )
    if len(errors) > 5:
        print(f"  ... and {len(errors) - 5} more errors", file=sys.stderr)
