"""Prompt builders: official-v2 parity with the golden vectors, native shots, the CLI."""

from __future__ import annotations

import argparse
import json
import subprocess

import pytest

from verilogeval.cli.commands.options import add_prompt_options, prompt_config_from_args
from verilogeval.dataset.loader import load_dataset
from verilogeval.errors import UserError
from verilogeval.execution.interface import read_interfaces
from verilogeval.prompting.builder import (
    MAX_SHOTS,
    PromptConfig,
    PromptStyle,
    build_prompt,
    comment_description,
    default_style,
    load_example,
    load_examples,
)
from verilogeval.records import Task

BEGIN_DONE = "Enclose your code with [BEGIN] and [DONE]."
RULES = "Here are some additional rules and coding conventions."
GOLDEN_FIELDS = ("task", "problem", "shots", "rules", "explain", "system", "user")


@pytest.fixture(scope="module")
def official(official_root):
    return {task: load_dataset(official_root, task) for task in Task}


@pytest.fixture(scope="module")
def own():
    return {task: load_dataset(None, task) for task in Task}


def test_official_v2_matches_every_golden_row(official, golden):
    rows = golden("prompts")
    assert len(rows) == 3900
    problems = {task: {p.name: p for p in official[task].problems} for task in Task}
    differing = []
    for row in rows:
        task = Task(row["task"])
        config = PromptConfig(PromptStyle.OFFICIAL_V2, row["shots"], row["rules"], row["explain"])
        prompt = build_prompt(official[task], problems[task][row["problem"]], config)
        if (prompt.system, prompt.user) != (row["system"], row["user"]):
            differing.append((row["task"], row["problem"], row["shots"], row["rules"]))
    assert differing == []


def test_cli_json_matches_golden_rows(official_root, golden, cli):
    wanted = {"Prob001_zero", "Prob079_fsm3onehot", "Prob156_review2015_fancytimer"}
    for task, shots, rules in (("spec-to-rtl", 3, True), ("code-complete-iccad2023", 4, False)):
        expected = {
            row["problem"]: {field: row[field] for field in GOLDEN_FIELDS}
            for row in golden("prompts")
            if row["task"] == task
            and row["problem"] in wanted
            and (row["shots"], row["rules"], row["explain"]) == (shots, rules, False)
        }
        args = ["prompt", "--dataset", official_root, "--task", task, "--shots", shots]
        args += ["--rules"] * rules + ["--format", "json", "1", "Prob079*", "156"]
        result = cli(*args)
        assert result.returncode == 0, result.stderr
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        assert {line["problem"]: line for line in lines} == expected


def test_cli_without_problems_prints_every_problem(own, cli):
    result = cli("prompt", "--format", "json")
    assert result.returncode == 0, result.stderr
    names = [json.loads(line)["problem"] for line in result.stdout.splitlines()]
    assert names == [p.name for p in own[Task.SPEC_TO_RTL].problems]


def test_cli_text_shows_settings_and_messages(own, cli):
    problem = own[Task.SPEC_TO_RTL].problems[0]
    result = cli("prompt", "--shots", "1", "--rules", problem.name)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"=== {problem.name} (spec-to-rtl, native, 1 shot, rules)")
    assert "--- system\n" in result.stdout
    assert RULES in result.stdout
    assert problem.prompt.strip() in result.stdout


def test_official_style_without_shot_files_names_the_missing_file(cli):
    result = cli("prompt", "--prompt-style", "official-v2", "--shots", "2", "1")
    assert result.returncode == 2
    assert "verilog-example-prefix_spec-to-rtl_2-shot.txt: shot file not found" in result.stderr
    assert result.stdout == ""
    zero_shot = cli("prompt", "--prompt-style", "official-v2", "1")
    assert zero_shot.returncode == 0, zero_shot.stderr


def test_default_style_follows_the_dataset_and_the_option_overrides(official, own):
    parser = argparse.ArgumentParser()
    add_prompt_options(parser)
    dataset = official[Task.SPEC_TO_RTL]
    assert default_style(dataset) is PromptStyle.OFFICIAL_V2
    assert default_style(own[Task.SPEC_TO_RTL]) is PromptStyle.NATIVE
    assert prompt_config_from_args(parser.parse_args([]), dataset) == PromptConfig(
        PromptStyle.OFFICIAL_V2
    )
    args = parser.parse_args(["--prompt-style", "native", "--shots", "3", "--explain"])
    assert prompt_config_from_args(args, dataset) == PromptConfig(
        PromptStyle.NATIVE, shots=3, explain=True
    )


@pytest.mark.parametrize("shots", [-1, MAX_SHOTS + 1])
def test_shots_out_of_range_are_refused(shots):
    with pytest.raises(UserError, match="shots"):
        PromptConfig(PromptStyle.NATIVE, shots=shots)


@pytest.mark.parametrize("task", list(Task))
@pytest.mark.parametrize("shots", range(MAX_SHOTS + 1))
def test_native_uses_our_first_examples_then_the_official_framing(official, task, shots):
    """Native differs from official-v2 only in the shots, so extraction works alike."""
    dataset = official[task]
    problem = dataset.problems[41]
    native = build_prompt(dataset, problem, PromptConfig(PromptStyle.NATIVE, shots))
    framing = build_prompt(dataset, problem, PromptConfig(PromptStyle.OFFICIAL_V2))
    examples = load_examples()
    assert native.style == "native"
    assert native.system == framing.system
    assert native.user.endswith(framing.user)
    shot_prefix = native.user.removesuffix(framing.user)
    for example in examples[:shots]:
        assert example.solution.strip() in shot_prefix
    for example in examples[shots:]:
        assert example.solution.strip() not in native.user
    if task is Task.SPEC_TO_RTL:
        assert shot_prefix.count("[BEGIN]\nmodule TopModule") == shots
        assert shot_prefix.count("\n[DONE]\n") == shots
    else:
        assert shot_prefix.count("// Implement the Verilog module") == shots
        assert "[BEGIN]" not in native.user


@pytest.mark.parametrize("shots", [0, 2])
def test_rules_and_explain_change_only_the_spec_to_rtl_question(own, shots):
    dataset = own[Task.SPEC_TO_RTL]
    problem = dataset.problems[0]

    def user(rules: bool, explain: bool) -> str:
        config = PromptConfig(PromptStyle.NATIVE, shots, rules=rules, explain=explain)
        return build_prompt(dataset, problem, config).user

    plain = user(rules=False, explain=False)
    assert plain.count(BEGIN_DONE) == shots + 1
    assert RULES not in plain
    with_rules = user(rules=True, explain=False)
    assert with_rules.count(RULES) == 1
    assert with_rules.index(problem.prompt.strip()) < with_rules.index(RULES)
    assert with_rules.index(RULES) < with_rules.rindex(BEGIN_DONE)
    explained = user(rules=False, explain=True)
    assert explained.count(BEGIN_DONE) == shots  # the shots keep theirs
    assert explained.endswith(f"{problem.prompt.strip()}\n\nAnswer:\n")
    assert user(rules=True, explain=True).endswith("sequential always block.\n\nAnswer:\n")


def test_rules_and_explain_leave_code_completion_alone(own):
    dataset = own[Task.CODE_COMPLETE]
    problem = dataset.problems[0]
    plain = build_prompt(dataset, problem, PromptConfig(PromptStyle.NATIVE, 1))
    both = build_prompt(dataset, problem, PromptConfig(PromptStyle.NATIVE, 1, True, True))
    assert (both.system, both.user) == (plain.system, plain.user)
    assert (both.rules, both.explain) == (True, True)


def test_comment_description_comments_until_the_module_header():
    text = "\nAdd a and b.\n\nmodule TopModule (\n  input a\n);\n\n"
    expected = "// \n// Add a and b.\n// \n\nmodule TopModule (\n  input a\n);\n"
    assert comment_description(text) == expected
    assert comment_description("only prose\nhere\n") == "// only prose\n// here"


def test_examples_are_ours_and_describe_their_interface():
    examples = load_examples()
    assert len(examples) >= MAX_SHOTS
    assert len({example.name for example in examples}) == len(examples)
    for example in examples:
        interface = read_interfaces(example.solution, example.name)["TopModule"]
        declared = [(p.direction, p.name, p.width) for p in example.ports]
        assert [(p.direction, p.name, p.width) for p in interface.ports] == declared
        assert example.description.strip()


def test_a_broken_example_file_is_named_with_its_field(tmp_path):
    path = tmp_path / "9_broken.toml"
    path.write_text('description = "x"\ninterface = []\n')
    with pytest.raises(UserError, match=r"9_broken\.toml: field 'solution'"):
        load_example(path)
    path.write_text('description = "x"\nsolution = "y"\ninterface = [{ name = "a" }]\n')
    with pytest.raises(UserError, match=r"9_broken\.toml: field 'interface'"):
        load_example(path)


@pytest.mark.icarus
def test_example_solutions_compile_under_icarus(tmp_path):
    for example in load_examples():
        source = tmp_path / f"{example.name}.sv"
        source.write_text(example.solution)
        result = subprocess.run(
            ["iverilog", "-Wall", "-g2012", "-o", str(tmp_path / "a.out"), str(source)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, f"{example.name}: {result.stdout}{result.stderr}"
        assert result.stdout + result.stderr == "", example.name
