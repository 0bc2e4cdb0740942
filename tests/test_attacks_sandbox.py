# ruff: noqa: E501  (one Verilog attack per line reads best)
"""Attacks on the sandbox itself (issue 18, classes 1, 2, 3 and 10), with real bwrap and Icarus.

The tamper scan is assumed bypassed: samples go straight to the sandboxed simulation.
Where an attack needs native code in the sandbox (Verilog cannot fork, link or signal),
the compromised case is a shell script run through the same sandbox API, doing what
that native code would. Each attack succeeded against the sandbox before issue 18.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from problems import reference_sample
from processes import commands_running

from verilogeval.checks.plus.amplify import run_seeds
from verilogeval.dataset.loader import load_dataset
from verilogeval.execution.sandbox.host import PYTHON, Command, Execution, runner
from verilogeval.grading.classify import classify
from verilogeval.grading.simulate import FILE_LIMIT_BYTES, simulate
from verilogeval.records import Category, Problem, Sample, Task

pytestmark = pytest.mark.icarus

PROBLEM = "Prob001_majority5"


@pytest.fixture(scope="module")
def problem() -> Problem:
    return next(p for p in load_dataset(None, Task.SPEC_TO_RTL).problems if p.name == PROBLEM)


def passes(problem: Problem, sample: Sample) -> bool:
    return classify(simulate(problem, sample)).category is Category.PASS


def sh(
    script: str, *, timeout_s: float = 60, outputs: tuple[str, ...] = (), proc: bool = False
) -> Execution:
    """`script` run by sh through the sandbox: what native code in a sample could do."""
    command = Command(("sh", "-c", script), outputs=outputs, timeout_s=timeout_s, proc=proc)
    return runner(None, sandboxed=True).execute(command)


def verilog_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


# Class 1: the compiled simulation is writable by the simulation


def test_a_seed_run_cannot_rewrite_the_binary_the_next_seed_runs(problem, tmp_path):
    """Seed 1 overwrites `sim` with another vvp program; seed 2 would run it."""
    payload_source = tmp_path / "payload.v"
    payload_source.write_text('module p; initial $display("PWNED-BY-SEED-1"); endmodule\n')
    subprocess.run(["iverilog", "-o", str(tmp_path / "payload"), str(payload_source)], check=True)
    payload = verilog_string((tmp_path / "payload").read_text())
    rewrite = (
        'initial begin : rewrite integer f; f = $fopen("sim", "w"); '
        f'if (f != 0) begin $fwrite(f, "%s", "{payload}"); $fclose(f); end end'
    )
    runs = run_seeds(
        problem,
        reference_sample(problem, rewrite),
        (101, 202, 303),
        timeout_s=60,
        workdir=None,
        sandboxed=True,
    )
    assert not any("PWNED" in run.log for run in runs)
    assert [run.passed for run in runs] == [True, True, True]


def test_a_seed_run_leaves_nothing_for_the_next_seed(problem):
    """Each seed looks for a file an earlier seed left; before, seed 2 found seed 1's."""
    probe = (
        'initial begin : probe integer f; f = $fopen("left-by-a-seed", "r"); '
        'if (f != 0) $display("SAW-AN-EARLIER-SEED"); '
        'else begin f = $fopen("left-by-a-seed", "w"); $fclose(f); end end'
    )
    runs = run_seeds(
        problem,
        reference_sample(problem, probe),
        (101, 202),
        timeout_s=60,
        workdir=None,
        sandboxed=True,
    )
    assert len(runs) == 2
    assert not any("SAW-AN-EARLIER-SEED" in run.log for run in runs)


def test_inputs_are_read_only_the_workspace_is_noexec_and_no_capability_is_left():
    inputs = {"sim": b"original\n"}
    script = """
        echo changed > sim 2>/dev/null || echo sim-read-only
        rm -f sim 2>/dev/null; cat sim
        cp /usr/bin/true ./t && ./t 2>/dev/null || echo workspace-noexec
        cp /usr/bin/true /tmp/t && /tmp/t 2>/dev/null || echo tmp-noexec
        grep CapEff /proc/self/status
        mkdir m && mount -t tmpfs none m 2>/dev/null || echo no-mount
    """
    command = Command(("sh", "-c", script), inputs, ("sim",), timeout_s=60, proc=True)
    ran = runner(None, sandboxed=True).execute(command)
    output = ran.result.output
    assert "sim-read-only" in output and "original" in output
    assert "workspace-noexec" in output and "tmp-noexec" in output and "no-mount" in output
    assert "CapEff:\t0000000000000000" in output
    assert ran.files == {"sim": b"original\n"}


def test_a_user_namespace_of_its_own_does_not_unlock_the_read_only_inputs():
    """Native code may still create a user namespace (full capabilities inside it) and
    try to bind the workspace elsewhere without the read-only file, remount it or
    unmount it: the kernel locks mounts inherited from a more privileged namespace."""
    code = textwrap.dedent("""
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        print("unshared", libc.unshare(0x10000000 | 0x00020000))
        os.makedirs("/tmp/x")
        libc.mount(b".", b"/tmp/x", None, ctypes.c_ulong(4096), None)  # bind
        libc.mount(b".", b"/tmp/x", None, ctypes.c_ulong(4096 | 16384), None)  # rbind
        libc.mount(None, b"sim", None, ctypes.c_ulong(32 | 4096), None)  # remount rw
        libc.umount2(b"sim", 2)
        libc.umount2(b"/tmp/x/sim", 2)
        for path in ("sim", "/tmp/x/sim"):
            try:
                with open(path, "w") as f:
                    f.write("changed")
                print("WROTE", path)
            except OSError as error:
                print(error)
    """)
    for proc in (False, True):
        command = Command(
            (str(PYTHON), "-c", code), {"sim": b"original\n"}, ("sim",), 60, proc=proc
        )
        ran = runner(None, sandboxed=True).execute(command)
        assert "unshared 0" in ran.result.output  # the attempt itself is not refused
        assert "WROTE" not in ran.result.output and ran.files == {"sim": b"original\n"}


# Class 2: the agent can be impersonated, and it waits forever


def test_a_command_cannot_answer_in_the_agents_place():
    """Write one well-formed answer into the agent's answer pipe, through /proc."""
    forged = (
        '{"argv": ["forged"], "returncode": 42, "output": "FORGED-ANSWER", '
        '"duration_s": 0, "timed_out": false, "truncated": false}'
    )
    script = f"""
        printf '%s\\n' '{forged}' > /proc/$PPID/fd/1 2>/dev/null && echo wrote
        sleep 1; echo done
    """
    for proc in (False, True):  # with no /proc, and with a /proc of its own
        ran = sh(script, proc=proc)
        assert ran.result.returncode == 0 and "FORGED-ANSWER" not in ran.result.output
        assert "wrote" not in ran.result.output  # nothing of the agent in sight
        assert sh("echo next").result.output == "next\n"  # the channel is still in step


def test_a_command_cannot_signal_the_agent():
    ran = sh("kill -9 $PPID 2>/dev/null; kill -9 -1 2>/dev/null; echo alive")
    assert "alive" in ran.result.output
    assert sh("echo next").result.output == "next\n"


def test_a_stray_holding_the_output_and_ignoring_sigterm_dies_with_its_command():
    """Before, the agent waited for the stray's end of the pipe forever (math.inf)."""
    script = "setsid sh -c 'trap \"\" TERM; exec sleep 1013' & trap '' TERM; exec sleep 1013"
    ran = sh(script, timeout_s=1)
    assert ran.result.timed_out
    assert commands_running("sleep 1013") == []
    assert sh("echo next").result.output == "next\n"


# Class 3: the host follows what the sandbox planted


def test_a_link_planted_where_the_host_reads_a_file_is_not_followed(tmp_path):
    secret = tmp_path / "host-secret.txt"
    secret.write_text("HOST-SECRET")
    names = ("wave.vcd", "report.json", "results.xml", "replay.vcd", "sat.log", "phase.txt")
    script = "; ".join(f"ln -s {secret} {name}" for name in names)
    ran = sh(script, outputs=names)
    assert ran.result.returncode == 0
    assert ran.files == {}  # links are not files: nothing comes back, nothing is followed
    assert secret.read_text() == "HOST-SECRET"


def test_a_fifo_does_not_come_back_and_no_file_is_over_the_size_limit():
    script = f"mkfifo results.xml; head -c {FILE_LIMIT_BYTES + 1000} /dev/zero > wave.vcd"
    ran = sh(script, outputs=("results.xml", "wave.vcd"))
    assert "results.xml" not in ran.files  # a FIFO would block the host for ever
    assert len(ran.files["wave.vcd"]) == FILE_LIMIT_BYTES  # cut at the file size limit


def test_waves_come_back_as_the_file_the_testbench_wrote(problem, tmp_path):
    wave = tmp_path / "waves" / "wave.vcd"
    dump = 'initial begin $dumpfile("wave.vcd"); $dumpvars; end'
    result = simulate(problem, reference_sample(problem, dump), wave_path=wave)
    assert classify(result).category is Category.PASS
    assert wave.is_file() and not wave.is_symlink() and "$enddefinitions" in wave.read_text()


# Class 10: samples share scratch space


@pytest.mark.parametrize(
    "left", ["/tmp/left-by-sample-1", "../left-by-sample-1"], ids=["in_tmp", "beside_its_folder"]
)
def test_a_sample_cannot_read_what_an_earlier_sample_left(problem, left):
    leave = f'initial begin : leave integer f; f = $fopen("{left}", "w"); $fdisplay(f, "x"); $fclose(f); end'
    look = f'initial begin : look integer f; f = $fopen("{left}", "r"); if (f != 0) $display("SAW-SAMPLE-1"); end'
    simulate(problem, reference_sample(problem, leave, 1))
    result = simulate(problem, reference_sample(problem, look, 2))
    assert result.run is not None and "SAW-SAMPLE-1" not in result.run.output


def test_a_command_leaves_no_ipc_object_or_file_for_the_next_one():
    """System V IPC objects outlive their process: a channel between samples if shared."""
    sh("ipcmk -M 4096 >/dev/null; ipcmk -Q >/dev/null; echo left > /tmp/left; echo x > left")
    seen = sh("ipcs -m -q | grep -c '^0x'; ls /tmp left 2>&1").result.output
    assert seen.split()[0] == "0" and "No such file" in seen


def test_every_folder_a_command_can_write_bounds_its_bytes_and_its_files():
    """Empty files cost no bytes but an inode each (kernel memory no rlimit counts): every
    mount a command can write, /tmp as its workspace, is a tmpfs with `size` and
    `nr_inodes`. Read from the command's own mount table, so a new mount is checked too."""
    table = sh("cat /proc/self/mountinfo", proc=True).result.output
    writable = {}
    for line in table.splitlines():
        fields = line.split()
        mount_point, options = fields[4], fields[5].split(",")
        separator = fields.index("-")
        fs_type, super_options = fields[separator + 1], fields[separator + 3].split(",")
        if fs_type == "devtmpfs":  # only single device nodes (/dev/null...), no folder
            assert fields[3] != "/" and mount_point.startswith("/dev/"), line
        elif "rw" in options and fs_type not in ("proc", "devpts"):
            writable[mount_point] = (fs_type, super_options)
    assert set(writable) == {"/tmp", "/verilogeval-work"}, writable
    for mount_point, (fs_type, super_options) in writable.items():
        assert fs_type == "tmpfs", mount_point
        assert any(o.startswith("size=") for o in super_options), (mount_point, super_options)
        assert any(o.startswith("nr_inodes=") for o in super_options), (mount_point, super_options)


@pytest.fixture
def small_scratch(tmp_path: Path):
    """A 4 MB tmpfs as the scratch folder, as /dev/shm is one (root only: mount)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    folder = tmp_path / "small"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], check=True)
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=True)


def test_filling_the_scratch_space_does_not_fail_the_next_sample(problem, small_scratch):
    def write_lines(path: str, lines: int, width: int) -> str:
        return f'f = $fopen("{path}", "w"); for (i = 0; i < {lines}; i = i + 1) $fdisplay(f, "%0{width}d", i); $fclose(f); '

    filler = (  # beside its folder: big lines until the space is full, then short ones for the
        # last blocks; then its own folder and /tmp
        "initial begin : fill integer f, i; "
        + write_lines("../filler1", 80000, 100)
        + write_lines("../filler2", 20000, 1)
        + write_lines("../filler3", 20000, 1)
        + write_lines("filler", 80000, 100)
        + write_lines("/tmp/filler", 80000, 100)
        + "end"
    )
    simulate(problem, reference_sample(problem, filler, 1), workdir=small_scratch)
    explained = "\n// an answer that explains itself at length" * 2000  # 90 kB
    result = simulate(problem, reference_sample(problem, explained, 2), workdir=small_scratch)
    assert classify(result).category is Category.PASS, result.compile.output


def test_a_killed_worker_leaves_no_scratch_behind(problem, tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    worker = textwrap.dedent(f"""
        import os, signal
        from verilogeval.dataset.loader import load_dataset
        from verilogeval.records import Sample, Task
        from verilogeval.grading.simulate import FILE_LIMIT_BYTES, simulate
        problem = next(p for p in load_dataset(None, Task.SPEC_TO_RTL).problems
                       if p.name == {PROBLEM!r})
        code = problem.ref_path.read_text().replace("RefModule", "TopModule")
        result = simulate(problem, Sample(problem.name, 1, code), workdir={str(scratch)!r})
        print(result.run.output.splitlines()[-1], flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", worker], capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert "Mismatches: 0" in done.stdout
    assert list(scratch.iterdir()) == []
