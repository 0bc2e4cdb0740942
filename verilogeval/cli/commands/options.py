"""Every option group of the commands, and its parser into a typed value, in one place.

A command adds the groups it takes and turns its namespace into its plan (see
verilogeval.orchestration.plans) through the `*_from_args` functions here; commands never
import each other. Each parser checks its values and names the flag of a bad one.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from verilogeval.checks.registry import POST_CHECKS
from verilogeval.dataset.errata import Benchmark
from verilogeval.dataset.loader import Dataset, load_dataset, select_problems
from verilogeval.errors import UserError
from verilogeval.execution.sandbox.options import add_sandbox_option, sandbox_from_args
from verilogeval.execution.scratch import default_scratch_dir
from verilogeval.feedback.levels import FeedbackLevel
from verilogeval.feedback.protocol import History, repair_config
from verilogeval.generation.engine import EngineConfig, GenerationCache, RetryPolicy
from verilogeval.generation.models.base import (
    PRESETS,
    AdapterSettings,
    Preset,
    ReasoningEffort,
    SamplingConfig,
)
from verilogeval.generation.models.capabilities import REASONING_MAX_TOKENS
from verilogeval.generation.models.pricing import Prices
from verilogeval.generation.models.registry import api_base_for, with_model_defaults
from verilogeval.generation.models.registry import resolve as resolve_model
from verilogeval.grading.extract import ExtractMode, default_mode
from verilogeval.grading.grader import GradeConfig, default_cache_dir, default_jobs
from verilogeval.grading.simulate import DEFAULT_TIMEOUT_S
from verilogeval.grading.time_limits import TimeLimitPolicy
from verilogeval.orchestration.plans import GeneratePlan, GradePlan, RunPlan, default_run_name
from verilogeval.prompting.builder import (
    MAX_SHOTS,
    PromptConfig,
    PromptStyle,
    check_style,
    default_style,
)
from verilogeval.records import Problem, Task


def add_dataset_options(parser: argparse.ArgumentParser, *, problems: bool = True) -> None:
    parser.add_argument(
        "--dataset",
        type=Path,
        default=None,
        help="official clone root, one task folder, or our own dataset (default: embedded)",
    )
    parser.add_argument(
        "--task",
        type=Task,
        choices=list(Task),
        default=None,
        help="benchmark task (default: the task of a dataset_<task> folder, else spec-to-rtl)",
    )
    parser.add_argument(
        "--benchmark",
        type=Benchmark,
        choices=list(Benchmark),
        default=None,
        help="v2.0 (the official files verbatim, the default), v2.1 (v2.0 with this "
        "project's errata applied when loading), or v1-human / v1-machine (VerilogEval v1 "
        "and its harness; --dataset a clone of its release/1.0.0 branch); see docs/datasets.md",
    )
    if problems:
        parser.add_argument(
            "--problems",
            default=None,
            help="comma-separated names, globs and number ranges, e.g. 'Prob00*,30-35' "
            "(default: every problem)",
        )


def add_benchmark_filter(parser: argparse.ArgumentParser, what: str) -> None:
    """--benchmark on the reports: the benchmark the runs read must have graded."""
    parser.add_argument(
        "--benchmark", type=Benchmark, choices=list(Benchmark), default=None, help=what
    )


def benchmark_of(run_benchmark: str | None) -> str:
    """The benchmark a run.json names (one written before it existed graded v2.0)."""
    return run_benchmark or str(Benchmark.V2_0)


def benchmark_from_args(args: argparse.Namespace) -> Benchmark:
    """--benchmark, v2.0 when not given (evaluate takes a generate folder's own instead)."""
    return args.benchmark or Benchmark.V2_0


def dataset_from_args(args: argparse.Namespace) -> tuple[Dataset, tuple[Problem, ...]]:
    """The dataset named by --dataset/--task/--benchmark and the problems --problems selects."""
    dataset = load_dataset(args.dataset, args.task, benchmark_from_args(args))
    return dataset, select_problems(dataset.problems, getattr(args, "problems", None))


def add_prompt_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("prompt")
    group.add_argument(
        "--shots",
        type=int,
        choices=range(MAX_SHOTS + 1),
        default=0,
        metavar="N",
        help=f"in-context examples before the question, 0-{MAX_SHOTS} (default: 0)",
    )
    group.add_argument(
        "--rules",
        action="store_true",
        help="append the official coding rules (spec-to-rtl only, as in the official harness)",
    )
    group.add_argument(
        "--explain",
        action="store_true",
        help="leave out the [BEGIN]/[DONE] instruction so the model may explain (spec-to-rtl only)",
    )
    group.add_argument(
        "--prompt-style",
        type=PromptStyle,
        choices=list(PromptStyle),
        default=None,
        help="official-v2 (the official harness, shots from the clone), native (our shots) "
        "or official-v1 (VerilogEval v1's prompt, its benchmarks only); default: official-v1 "
        "for a v1 benchmark, official-v2 for an official clone, else native",
    )


def prompt_config_from_args(args: argparse.Namespace, dataset: Dataset) -> PromptConfig:
    config = PromptConfig(
        style=args.prompt_style or default_style(dataset),
        shots=args.shots,
        rules=args.rules,
        explain=args.explain,
    )
    return check_style(dataset, config)


def add_model_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model")
    group.add_argument(
        "--model",
        required=True,
        help="alias, oracle, replay:PATH, openai:NAME or litellm provider/model "
        "(see 'verilogeval models')",
    )
    group.add_argument(
        "--api-base",
        default=None,
        metavar="URL",
        help="base URL of an OpenAI-compatible server (default: $OPENAI_BASE_URL for "
        "openai:NAME and openai/NAME models, else the provider's own API); recorded in "
        "run.json and part of the run's identity and of the answer cache key",
    )
    group.add_argument(
        "--prices",
        type=parse_prices,
        default=None,
        metavar="PROMPT,COMPLETION",
        help="USD per million prompt and completion tokens, e.g. 0.5,1.5 (default: the "
        "model map's price for the provider's own API; unknown for any other server)",
    )
    group.add_argument("--concurrency", type=int, default=8, help="requests at once (default 8)")
    group.add_argument(
        "--rpm", type=float, default=None, help="requests per minute at most (default: no limit)"
    )
    group.add_argument(
        "--request-timeout",
        type=float,
        default=120.0,
        help="seconds per model request (default 120)",
    )
    group.add_argument(
        "--retries", type=int, default=5, help="retries of a failed request (default 5)"
    )


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


OPENAI_BASE_URL_ENV = "OPENAI_BASE_URL"


def parse_prices(text: str) -> Prices:
    """'0.5,1.5' (USD per million tokens) -> Prices per token."""
    try:
        prompt, completion = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected PROMPT,COMPLETION in USD per million tokens like '0.5,1.5', got {text!r}"
        ) from None
    if prompt < 0 or completion < 0:
        raise argparse.ArgumentTypeError(f"prices must not be negative, got {text!r}")
    return Prices(prompt / 1e6, completion / 1e6)


def adapter_settings_from_args(args: argparse.Namespace) -> AdapterSettings:
    """The adapter's settings; the one place OPENAI_BASE_URL is read (see api_base_for)."""
    return AdapterSettings(
        api_base=api_base_for(args.model, args.api_base, os.environ.get(OPENAI_BASE_URL_ENV)),
        timeout_s=args.request_timeout,
        prices=args.prices,
    )


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
    group.add_argument(
        "--samples", type=int, default=None, help="samples per problem, n (default: the preset's)"
    )
    group.add_argument(
        "--temperature",
        type=float,
        default=None,
        help="sampling temperature, 0 or more (default: the preset's, 0 or 0.8)",
    )
    group.add_argument(
        "--top-p",
        type=float,
        default=None,
        help="nucleus sampling mass, in (0, 1] (default: the preset's, 0.01 or 0.95)",
    )
    group.add_argument(
        "--max-tokens",
        type=int,
        default=None,
        help="output budget, thinking included (default 1024; for a reasoning model its own "
        f"maximum from litellm's map, else {REASONING_MAX_TOKENS})",
    )
    group.add_argument(
        "--seed",
        type=int,
        default=None,
        help="sampling seed sent to providers that take one (default: none sent)",
    )
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
        help="tokens a thinking model may think (Anthropic, Gemini, ...); within --max-tokens "
        "(default: the alias's, else the provider's)",
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


def add_cache_options(parser: argparse.ArgumentParser, *, default: str) -> None:
    """--cache-dir and --no-cache; `run` keeps answers and verdicts in the one folder."""
    parser.add_argument(
        "--cache-dir", type=Path, default=None, help=f"cache folder (default: {default})"
    )
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")


GENERATION_CACHE_HELP = "$XDG_CACHE_HOME or ~/.cache, /verilogeval/gen"
RESULT_CACHE_HELP = str(default_cache_dir())


def generation_cache_from_args(args: argparse.Namespace) -> GenerationCache | None:
    if args.no_cache:
        return None
    if args.cache_dir is not None:
        return GenerationCache(args.cache_dir)
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return GenerationCache(Path(cache_home) / "verilogeval" / "gen")


SCHEDULER_ENV = "VERILOGEVAL_SCHEDULER"


def add_scheduler_option(parser: argparse.ArgumentParser) -> None:
    """--scheduler: grade on a Dask cluster instead of this machine's cores."""
    parser.add_argument(
        "--scheduler",
        default=os.environ.get(SCHEDULER_ENV) or None,
        metavar="tcp://HOST:PORT",
        help=f"grade on the Dask cluster of this scheduler (default: ${SCHEDULER_ENV}, "
        "else this machine's cores)",
    )


def add_from_to(
    parser: argparse.ArgumentParser, name: str, metavar: str, help_from: str, help_out: str
) -> None:
    """What a converting command reads (positional `name`) and the `--out` it writes."""
    parser.add_argument(name, type=Path, metavar=metavar, help=help_from)
    parser.add_argument("--out", type=Path, required=True, help=help_out)


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (a count of jobs, say), checked when
    the command line is parsed, before any file is read."""
    return _whole_number(text, least=1)


def non_negative_int(text: str) -> int:
    """An argparse type: a whole number of at least 0 (a count of repair rounds)."""
    return _whole_number(text, least=0)


def _whole_number(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"must be at least {least}, got {text!r}")
    return value


def add_pool_options(parser: argparse.ArgumentParser) -> None:
    """Where and how many jobs run: --jobs, --scratch-dir, --scheduler, --no-sandbox."""
    parser.add_argument(
        "--jobs",
        type=positive_int,
        default=None,
        help="grading jobs at once, official and --strict/--plus/--formal alike "
        "(default: all cores; the cluster's workers decide with --scheduler)",
    )
    parser.add_argument(
        "--scratch-dir",
        type=Path,
        default=None,
        help="with --no-sandbox, where per-command temporary folders go (default: /dev/shm, "
        "else the temp folder); sandboxed commands use tmpfs workspaces of their own",
    )
    add_scheduler_option(parser)
    add_sandbox_option(parser)


def add_grade_options(parser: argparse.ArgumentParser) -> None:
    """Options of the grading pool (with add_cache_options for its result cache)."""
    add_pool_options(parser)
    policy = TimeLimitPolicy()
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="one fixed wall-clock limit per compile and per run, seconds (default: per "
        f"problem, max({policy.floor_s:g}, {policy.factor:g} x its reference's own time))",
    )


def jobs_from_args(args: argparse.Namespace) -> int:
    return default_jobs() if args.jobs is None else args.jobs


def scratch_dir_from_args(args: argparse.Namespace) -> Path | None:
    if args.scratch_dir is not None and not args.scratch_dir.is_dir():
        raise UserError(f"{args.scratch_dir}: --scratch-dir is not a folder")
    scratch: Path | None = args.scratch_dir or default_scratch_dir()
    return scratch


def grade_config_from_args(args: argparse.Namespace, wave_dir: Path | None = None) -> GradeConfig:
    jobs = jobs_from_args(args)
    if args.timeout is not None and not args.timeout > 0:
        raise UserError(f"--timeout must be positive, not {args.timeout}")
    workdir = scratch_dir_from_args(args)
    if wave_dir is not None and args.scheduler is not None:
        raise UserError("--waves keeps files on the grading machine: not with --scheduler")
    return GradeConfig(
        jobs=jobs,
        timeout_s=DEFAULT_TIMEOUT_S if args.timeout is None else args.timeout,
        time_limit=TimeLimitPolicy() if args.timeout is None else None,
        cache_dir=None if args.no_cache or wave_dir else (args.cache_dir or default_cache_dir()),
        workdir=workdir,
        wave_dir=wave_dir,
        scheduler=args.scheduler,
        sandbox=sandbox_from_args(args),
    )


def add_check_options(parser: argparse.ArgumentParser) -> None:
    """The post-verdict checks (verilogeval.checks.registry): each one's flag and settings."""
    for check in POST_CHECKS.values():
        check.options.add(parser)


def checks_from_args(args: argparse.Namespace, grading: GradeConfig) -> dict[str, Any]:
    """Name -> settings of every post-verdict check asked for, in the registry's order."""
    asked = {name: check.options.settings(args, grading) for name, check in POST_CHECKS.items()}
    return {name: settings for name, settings in asked.items() if settings is not None}


def grading_for(dataset: Dataset, grading: GradeConfig) -> GradeConfig:
    """`grading` as `dataset`'s harness uses it: v1 has one fixed limit (30 s, or
    --timeout), never one derived from a reference's run time, and keeps no waveform."""
    if not dataset.benchmark.is_v1:
        return grading
    if grading.wave_dir is not None:
        raise UserError(
            f"--waves: not on --benchmark {dataset.benchmark} (v1 runs its own command)"
        )
    return dataclasses.replace(grading, time_limit=None)


def checks_for(dataset: Dataset, checks: dict[str, Any]) -> dict[str, Any]:
    """`checks`, refused on a v1 benchmark: each needs the v2 layout, where the sample, the
    testbench and the reference (RefModule) are apart and the testbench prints its verdict
    line; a v1 testbench holds its own reference (reference_module) in one file with the
    sample, and v1's verdict is its first mismatch line."""
    if checks and dataset.benchmark.is_v1:
        asked = ", ".join(f"--{name}" for name in checks)
        raise UserError(
            f"{asked}: not on --benchmark {dataset.benchmark} (a v1 testbench holds its own "
            "reference module, in one file with the sample; see docs/datasets.md)"
        )
    return checks


def parse_ks(text: str) -> tuple[int, ...]:
    """'1,5,10' -> (1, 5, 10): the k values of pass@k, positive and without repeats."""
    try:
        ks = tuple(dict.fromkeys(int(part) for part in text.split(",") if part.strip()))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected k values like '1,5,10', got {text!r}") from None
    if not ks or min(ks) < 1:
        raise argparse.ArgumentTypeError(f"k values must be positive integers, got {text!r}")
    return ks


def add_k_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-k",
        type=parse_ks,
        default=(1, 5, 10),
        metavar="K,...",
        help="pass@k for these k (default: 1,5,10); undefined where a run has n < k",
    )


def write_output(text: str, path: Path | None) -> None:
    """Print `text`, or write it to `path` (naming the file when that fails)."""
    if path is None:
        print(text)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path}: cannot write ({error.strerror})") from None
    print(f"wrote {path}")


def add_extract_mode_option(parser: argparse.ArgumentParser, flag: str, help: str) -> None:
    parser.add_argument(flag, type=ExtractMode, choices=list(ExtractMode), default=None, help=help)


DEFAULT_RUNS_DIR = Path("runs")


def add_run_options(parser: argparse.ArgumentParser) -> None:
    add_dataset_options(parser)
    add_prompt_options(parser)
    add_model_options(parser)
    add_sampling_options(parser)
    add_grade_options(parser)
    add_cache_options(parser, default=f"{RESULT_CACHE_HELP} for verdicts, answers likewise")
    add_extract_mode_option(
        parser,
        "--extract-mode",
        "official (default with the official-v2 prompt style) or robust (default: native)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="run folder; the same command again resumes it (default: runs/<model>_<settings>)",
    )
    add_check_options(parser)
    add_repair_options(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def add_repair_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("repair rounds")
    group.add_argument(
        "--repair",
        type=non_negative_int,
        default=0,
        metavar="N",
        help="after a failed answer, show the model feedback and ask again, up to N more "
        "rounds (default 0: one answer per sample); with --plus or --formal, only the "
        "trusted verdict ends a sample's rounds",
    )
    group.add_argument(
        "--feedback",
        type=FeedbackLevel,
        choices=list(FeedbackLevel),
        default=FeedbackLevel.COMPILER,
        help="what the model is shown of a failed answer, least to most of the oracle: "
        "pass-fail, compiler (default), testbench, waveform, formal (needs --formal)",
    )
    group.add_argument(
        "--history",
        type=History,
        choices=list(History),
        default=History.FULL,
        help="full: the whole conversation (default); last: the prompt, the latest answer "
        "and its feedback only",
    )


def replay_narrowed(
    args: argparse.Namespace, problems: tuple[Problem, ...], sampling: SamplingConfig
) -> tuple[tuple[Problem, ...], SamplingConfig]:
    """For `--model replay:PATH`, the problems and n the replay answers; what it lacks is
    said on stderr before the run. Any other model asks for what was selected."""
    name, argument = resolve_model(args.model)
    if name != "replay":
        return problems, sampling
    from verilogeval.generation.models.replay import replay_scope

    scope = replay_scope(Path(argument), problems, args.samples)
    for line in scope.lacking:
        print(f"verilogeval: {line}", file=sys.stderr)
    return scope.problems, dataclasses.replace(sampling, n=scope.n)


def run_plan_from_args(args: argparse.Namespace, resume_command: str | None = None) -> RunPlan:
    """`run`'s plan; `resume_command` continues it (default: the command line given)."""
    dataset, problems = dataset_from_args(args)
    prompt = prompt_config_from_args(args, dataset)
    problems, sampling = replay_narrowed(args, problems, sampling_config_from_args(args))
    extract_mode = args.extract_mode or default_mode(str(prompt.style))
    grading = grading_for(dataset, grade_config_from_args(args))
    checks = checks_for(dataset, checks_from_args(args, grading))
    repair = repair_config(args.repair, args.feedback, args.history, checks)
    # a benchmark other than v2.0 is named beside the task: its runs never share a folder
    task = str(dataset.task)
    if dataset.benchmark is not Benchmark.V2_0:
        task += f"_{dataset.benchmark}"
    out = args.out or DEFAULT_RUNS_DIR / default_run_name(
        args.model, task, prompt, sampling, repair
    )
    generate = GeneratePlan(
        out=out,
        model=args.model,
        adapter=adapter_settings_from_args(args),
        dataset=dataset,
        problems=problems,
        prompt=prompt,
        sampling=sampling,
        engine=engine_config_from_args(args),
        generation_cache=generation_cache_from_args(args),
    )
    return RunPlan(
        generate=generate,
        grade=GradePlan(grading, checks),
        extract_mode=extract_mode,
        resume_command=resume_command or _with_out(args.command_line, out),
        repair=repair,
    )


def _with_out(command_line: list[str], out: Path) -> str:
    """The command line that was run, with --out made explicit."""
    if "--out" not in command_line and not any(a.startswith("--out=") for a in command_line):
        command_line = [*command_line, "--out", str(out)]
    return shlex.join(command_line)
