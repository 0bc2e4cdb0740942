"""Whether a proof about the sample speaks for the design Icarus simulates.

Yosys proves the sample as synthesis reads it; the sample is graded as Icarus simulates
it. The two read the same text differently wherever a construct means something to the
event-driven simulator that synthesis ignores or models otherwise: an event list that
misses a signal (the output stays stale), a function or task reading a module signal
(Icarus's `@*` and continuous assignments do not wake on it), two blocks or assignments
driving one signal (Icarus: the last writer or an X; Yosys: a constraint that prunes the
proof), a blocking assignment in a clocked block read by another block (Icarus: the order
of the blocks; Yosys: a flip-flop), a combinational block reading a variable before it
writes it (Icarus does not wake a block on its own write: the read sees the previous run's
value; Yosys: this run's), the clock read as data (the proof samples it only
idle), delays, events, `$time`, fork/join, force/release. A sample outside the subset
below, where both readings can be argued equal, gets no `proven` or `bounded`: formal is
`unsupported` for it (an Icarus-confirmed `disproved` still stands). Latches and flip-flops
with an asynchronous load are refused on Yosys's side (verilogeval.checks.formal.yosys), where
they are recognised.

The subset is an allow-list, read on the syntax (every generate branch, taken or not)
and, for the drivers, on slang's elaboration (verilogeval.checks.formal.drivers), in the limited
parser child: statements, blocks, declarations, data and net types, system names and
event controls a plain synthesizable design needs. Anything else is a finding, one short
reason each.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from verilogeval.checks.formal.drivers import driver_findings
from verilogeval.execution.untrusted_parse import ParseFailed, parse_call

# Nodes whose kind ends with one of these suffixes must be in the allow-list below.
_GUARDED_SUFFIXES = ("Statement", "Block", "Declaration", "Instantiation", "Type")
_ALLOWED = frozenset(
    {
        # statements (timing controls are checked apart: only as an always block's event list)
        "SequentialBlockStatement", "ConditionalStatement", "CaseStatement",
        "ForLoopStatement", "LoopStatement", "DoWhileStatement", "ForeachLoopStatement",
        "ExpressionStatement", "EmptyStatement", "ReturnStatement", "JumpStatement",
        "TimingControlStatement",
        # blocks
        "AlwaysBlock", "AlwaysCombBlock", "AlwaysFFBlock", "InitialBlock", "GenerateBlock",
        # declarations
        "ModuleDeclaration", "DataDeclaration", "NetDeclaration", "PortDeclaration",
        "FunctionDeclaration", "TaskDeclaration", "TypedefDeclaration", "GenvarDeclaration",
        "ParameterDeclaration", "ForVariableDeclaration",
        "ParameterDeclarationStatement",
        # instances of the sample's own modules (the tamper scan refuses any other)
        "HierarchyInstantiation",
        # two- and four-state integral types (2-state ones start at 0 in Icarus, X in the
        # proof: the proof is the more pessimistic one, never the other way round)
        "ImplicitType", "LogicType", "RegType", "BitType", "IntType", "IntegerType",
        "ByteType", "ShortIntType", "LongIntType", "TimeType", "NamedType", "EnumType",
        "StructType", "VoidType",
    }
)  # fmt: skip
# Timing controls and strengths: what only the simulator's scheduler gives a meaning.
_TIMING = frozenset(
    {
        "DelayControl", "CycleDelay", "OneStepDelay", "TimingControlExpression",
        "RepeatedEventControl", "EventControl", "EventControlWithExpression",
        "ImplicitEventControl", "ChargeStrength", "DriveStrength", "PullStrength",
    }
)  # fmt: skip
# System functions both tools evaluate alike, and display tasks (no effect on the design:
# the tamper scan counts their lines). Not `$time` and its kin (synthesis reads a constant),
# not `$isunknown` (X), not the random streams, nothing that ends the simulation.
ALLOWED_SYSTEM_NAMES = frozenset(
    {
        "$signed", "$unsigned", "$clog2", "$bits", "$size", "$left", "$right", "$low",
        "$high", "$countones", "$onehot", "$onehot0", "$display", "$displayb", "$displayh",
        "$displayo", "$strobe", "$strobeb", "$strobeh", "$strobeo", "$info", "$warning",
        "$error",
    }
)  # fmt: skip
_ALWAYS_WITH_EVENTS = frozenset({"AlwaysBlock", "AlwaysFFBlock"})
_PROCESSES = frozenset({"AlwaysBlock", "AlwaysCombBlock", "AlwaysFFBlock", "InitialBlock"})
_COMBINATIONAL = frozenset({"AlwaysBlock", "AlwaysCombBlock"})  # when not edge-triggered
_LOOPS = frozenset(
    {"ForLoopStatement", "LoopStatement", "DoWhileStatement", "ForeachLoopStatement"}
)
_ROUTINES = frozenset({"FunctionDeclaration", "TaskDeclaration"})
_NAMES = frozenset({"IdentifierName", "IdentifierSelectName"})
_DATA_DECLARATIONS = frozenset(
    {"DataDeclaration", "NetDeclaration", "PortDeclaration", "ImplicitAnsiPort"}
)
_WIRE = "wire"
# Why a sample with a latch or a flip-flop loaded asynchronously (counted by Yosys) is
# outside the subset: see verilogeval.checks.formal.yosys.
HELD_CELLS = (
    "a latch or an asynchronously loaded flip-flop (Icarus holds what a level had when it "
    "closed, a glitch included; the proof models it settled)"
)


def divergences(code: str, clocks: tuple[str, ...], *, deadline_s: float) -> tuple[str, ...]:
    """Why Icarus may simulate `code` (the sample as compiled) otherwise than Yosys reads
    it, in order of appearance; empty inside the subset. `clocks` are the clock inputs,
    which the sample may read only as an edge event. A check that cannot finish is a
    finding."""
    arguments = {"source": code, "clocks": list(clocks)}
    try:
        return tuple(parse_call("subset", arguments, deadline_s=deadline_s))
    except ParseFailed as error:
        return (f"the subset check could not finish: {error}",)


def subset_findings(source: str, clocks: list[str]) -> list[str]:
    """`divergences`, run inside the parser child."""
    from pyslang import SourceManager, syntax

    # A last `;` (an empty member) keeps the root a compilation unit, one module or many.
    tree = syntax.SyntaxTree.fromText(source + "\n;\n", SourceManager(), "sample.sv")
    found: dict[str, None] = {}
    if any(d.isError() for d in tree.diagnostics):
        return ["does not parse on its own"]
    modules = {}
    for member in tree.root.members:  # type: ignore[attr-defined]
        if _kind(member) == "ModuleDeclaration":
            modules[_text(member.header.name)] = member
        elif _kind(member) != "EmptyMember":
            found.setdefault(f"{_kind(member)} outside a module", None)
    clocks_of = _clocks_by_module(modules, frozenset(clocks))
    for name, module in modules.items():
        for reason in _module_findings(module, frozenset(clocks_of.get(name, ()))):
            found.setdefault(reason, None)
    if not found:  # the drivers need an elaboration: only of a sample that reads cleanly
        for reason in driver_findings(tree):
            found.setdefault(reason, None)
    return list(found)


def _module_findings(module: Any, clocks: frozenset[str]) -> Iterator[str]:
    data = _module_data(module)
    for node in _nodes(module):
        kind = _kind(node)
        if kind.endswith(_GUARDED_SUFFIXES) and kind not in _ALLOWED:
            yield f"{_describe(kind)} `{_text(node)}`"
        elif kind in _TIMING and not _is_event_list(node):
            yield f"a timing control `{_text(node)}` (synthesis ignores it)"
        elif kind == "NetDeclaration" and node.netType.valueText != _WIRE:
            yield f"a `{node.netType.valueText}` net (resolved otherwise by each tool)"
        elif kind == "SystemIdentifier" or (kind == "Identifier" and node.valueText[:1] == "$"):
            if node.valueText not in ALLOWED_SYSTEM_NAMES:
                yield f"`{node.valueText}` (synthesis reads it otherwise)"
        elif kind in ("CaseStatement", "ConditionalStatement") and node.uniqueOrPriority:
            keyword = node.uniqueOrPriority.valueText
            yield f"`{keyword}` (Yosys reads it as a full_case/parallel_case directive)"
        elif kind == "ScopedName":
            yield from _scoped_name_findings(node, data)
        elif kind in _ALWAYS_WITH_EVENTS:
            yield from _event_list_findings(node, data)
        elif kind in _ROUTINES:
            yield from _routine_findings(node, data)
        if kind in _PROCESSES and _edge_triggered(node):
            yield from _race_findings(node, module, data)
        elif kind in _COMBINATIONAL:
            yield from _stale_read_findings(node)
        name = node.identifier.valueText if kind in _NAMES else None
        if name in clocks and not _is_edge_operand(node) and _port_connected(node) is None:
            yield f"the clock `{name}` read as data (the proof sees it only idle)"


def _clocks_by_module(modules: dict[str, Any], clocks: frozenset[str]) -> dict[str, set[str]]:
    """The clock names of each module: TopModule's clock inputs, and every port of an
    instantiated module that a clock name is connected to by name (`.clk(clk)`), so a
    submodule is held to the same rule for its clock."""
    clocks_of: dict[str, set[str]] = {"TopModule": set(clocks)}
    changed = True
    while changed:
        changed = False
        for name, module in modules.items():
            for node in _nodes(module):
                port = _port_connected(node) if _kind(node) in _NAMES else None
                if port is None or node.identifier.valueText not in clocks_of.get(name, ()):
                    continue
                instantiated, port_name = port
                if port_name not in clocks_of.setdefault(instantiated, set()):
                    clocks_of[instantiated].add(port_name)
                    changed = True
    return clocks_of


def _event_list_findings(block: Any, data: frozenset[str]) -> Iterator[str]:
    """An always block needs one event list: all edges of plain names, `@*` over at least
    one signal, or a level list that names every signal the block reads and does not
    itself write."""
    statement = block.statement
    if _kind(statement) != "TimingControlStatement" or _kind(statement.timingControl) not in (
        "EventControlWithExpression",
        "ImplicitEventControl",
    ):
        yield f"an always block without an event list `{_text(block)}`"
        return
    control = statement.timingControl
    if _kind(control) == "ImplicitEventControl":
        if not _reads(statement.statement, data):
            yield f"`{_text(control)}` over no signal `{_text(block)}` (Icarus never runs it)"
        return
    events = [n for n in _nodes(control) if _kind(n) == "SignalEventExpression"]
    edges = [e for e in events if e.edge.valueText]
    if any(_kind(n) == "IffEventClause" for n in _nodes(control)):
        yield f"an event list with `iff` `{_text(control)}`"
    elif any(_kind(e.expr) != "IdentifierName" for e in events):
        yield f"an event on an expression `{_text(control)}` (only plain signal names)"
    elif edges and len(edges) != len(events):
        yield f"an event list mixing edges and levels `{_text(control)}`"
    elif not edges:
        listed = {e.expr.identifier.valueText for e in events}
        missing = sorted(_reads(statement.statement, data) - listed)
        if missing:
            yield (
                f"an incomplete event list `{_text(control)}` (misses {', '.join(missing)}: "
                "Icarus leaves the block stale)"
            )


def _reads(statement: Any, data: frozenset[str]) -> set[str]:
    """The module signals `statement` reads and does not write (the variables it writes
    change only when it runs, one driver each: see formal/drivers.py)."""
    written = {_root_name(n.left) for n in _nodes(statement) if _is_assignment(n)}
    local = {n.name.valueText for n in _nodes(statement) if _kind(n) == "Declarator"}
    named = {n.identifier.valueText for n in _nodes(statement) if _kind(n) in _NAMES}
    return (named & data) - written - local


def _routine_findings(routine: Any, data: frozenset[str]) -> Iterator[str]:
    """A function or task may use only its own arguments and variables: Icarus's `@*`
    and continuous assignments wake on the arguments of a call, never on what the body
    reads; a body that writes a module signal adds a driver no event list shows."""
    name = routine.prototype.name
    own = {_text(name)} | {n.name.valueText for n in _nodes(routine) if _kind(n) == "Declarator"}
    used = {n.identifier.valueText for n in _nodes(routine) if _kind(n) in _NAMES}
    outside = sorted((used & data) - own)
    if outside:
        what = "function" if _kind(routine) == "FunctionDeclaration" else "task"
        yield f"{what} `{_text(name)}` uses {', '.join(outside)}, not its arguments"


def _race_findings(block: Any, module: Any, data: frozenset[str]) -> Iterator[str]:
    """A blocking assignment in a clocked block to a signal anything else reads: Icarus
    gives the reader the old or the new value by the order it runs the blocks in, synthesis
    a flip-flop (the old one)."""
    blocking = {
        name
        for n in _nodes(block)
        if _kind(n) == "AssignmentExpression" and (name := _root_name(n.left)) is not None
    } & data
    if not blocking:
        return
    inside = {id(n) for n in _nodes(block)}
    ports = _port_names(module)
    for node in _nodes(module):
        if _kind(node) in _NAMES and id(node) not in inside:
            name = node.identifier.valueText
            if name in blocking and _kind(node.parent) != "Declarator":
                blocking.discard(name)
                yield f"a blocking assignment to `{name}` in a clocked block, read elsewhere"
    for name in sorted(blocking & ports):
        yield f"a blocking assignment to the port `{name}` in a clocked block"


def _stale_read_findings(block: Any) -> Iterator[str]:
    """A combinational block reading a variable it writes itself later in the same run:
    Icarus does not wake a block on its own writes, so a read no earlier statement of the
    run has surely written sees what the block's previous run left (the output lags),
    while synthesis reads the value this run settles to. A read of a variable the block
    writes on some paths only, and never after the read, is a latch (refused on Yosys's
    side). A name passed to a task call may be written by it: a write there, and a read.
    The rule reads names, not bits: a read of bits an earlier partial write set, in a loop
    that writes others (Prob144's reference, `q_pad`), is refused too (unsupported).
    """
    statement = block.statement
    if _kind(statement) == "TimingControlStatement":
        statement = statement.statement  # the body, not the event list
    nodes = _nodes(statement)
    writes: dict[str, list[int]] = {}  # name -> where its writes end (after the reads in them)
    targets: set[int] = set()
    for node in nodes:
        for target in _write_targets(node):
            writes.setdefault(target.identifier.valueText, []).append(node.sourceRange.end.offset)
            if not _is_task_call(node):
                targets.add(target.sourceRange.start.offset)
    reported: set[str] = set()
    for node in nodes:
        if _kind(node) not in _NAMES or _inside_query(node):
            continue
        name, offset = node.identifier.valueText, node.sourceRange.start.offset
        if name not in writes or name in reported or offset in targets:
            continue
        written_later = any(at > offset for at in writes[name]) or _loop_writes(node, name)
        if written_later and not _written_before(node, name):
            reported.add(name)
            yield (
                f"`{name}` read in a combinational block before the block writes it "
                "(Icarus reads the value of its previous run)"
            )


# System functions of a variable's type, not its value.
_QUERIES = frozenset({"$bits", "$size", "$left", "$right", "$low", "$high", "$dimensions"})


def _inside_query(node: Any) -> bool:
    node = node.parent
    while node is not None:
        if _kind(node) == "InvocationExpression" and _text(node.left) in _QUERIES:
            return True
        node = node.parent
    return False


def _is_task_call(node: Any) -> bool:
    return (
        _kind(node) == "ExpressionStatement"
        and _kind(node.expr) == "InvocationExpression"
        and not _text(node.expr.left).startswith("$")
    )


def _write_targets(node: Any) -> list[Any]:
    """The name nodes `node` writes: an assignment's targets (each of a concatenation),
    or every name passed to a task call."""
    if _is_task_call(node):
        return [n for n in _nodes(node.expr) if _kind(n) in _NAMES]
    if not _is_assignment(node):
        return []
    left = node.left
    parts = list(left.expressions) if _kind(left) == "ConcatenationExpression" else [left]
    return [root for part in parts if (root := _root_node(part)) is not None]


def _loop_writes(read: Any, name: str) -> bool:
    """Whether a loop around `read` writes `name` (a later iteration writes after it)."""
    node = read.parent
    while node is not None and _kind(node) not in _COMBINATIONAL:
        if _kind(node) in _LOOPS and any(
            name == target.identifier.valueText
            for inner in _nodes(node)
            for target in _write_targets(inner)
        ):
            return True
        node = node.parent
    return False


def _written_before(read: Any, name: str) -> bool:
    """Whether a statement that runs before `read`, on every path to it, writes `name`
    whole: an earlier statement of an enclosing block, or an enclosing loop's initialiser."""
    offset = read.sourceRange.start.offset
    node = read.parent
    while node is not None and _kind(node) not in _COMBINATIONAL:
        if _kind(node) == "SequentialBlockStatement":
            for item in node.items:
                if item.sourceRange.end.offset <= offset and _writes_whole(item, name):
                    return True
        elif _kind(node) == "ForLoopStatement":
            for item in node.initializers:
                if item.sourceRange.end.offset <= offset and _assigns_whole(item, name):
                    return True
        node = node.parent
    return False


def _writes_whole(statement: Any, name: str) -> bool:
    """Whether `statement` writes all of `name` with a blocking assignment on every path."""
    kind = _kind(statement)
    if kind == "ExpressionStatement":
        return _assigns_whole(statement.expr, name)
    if kind == "SequentialBlockStatement":
        return any(_writes_whole(item, name) for item in statement.items)
    if kind == "ConditionalStatement":
        other = statement.elseClause
        return (
            other is not None
            and _writes_whole(statement.statement, name)
            and _writes_whole(other.clause, name)
        )
    if kind == "CaseStatement":
        items = list(statement.items)
        return any(_kind(i) == "DefaultCaseItem" for i in items) and all(
            _writes_whole(i.clause, name) for i in items
        )
    return False


def _assigns_whole(expression: Any, name: str) -> bool:
    if _kind(expression) != "AssignmentExpression":
        return False
    left = expression.left
    parts = list(left.expressions) if _kind(left) == "ConcatenationExpression" else [left]
    return any(
        _kind(part) == "IdentifierName" and part.identifier.valueText == name for part in parts
    )


def _scoped_name_findings(node: Any, data: frozenset[str]) -> Iterator[str]:
    if _kind(node.separator) != "Dot":
        yield f"a package or class name `{_text(node)}`"
        return
    first = node.left
    while _kind(first) == "ScopedName":
        first = first.left
    if _kind(first) not in _NAMES or first.identifier.valueText not in data:
        yield f"a hierarchical name `{_text(node)}`"


def _module_data(module: Any) -> frozenset[str]:
    """Names of the module's ports, nets and variables, declared anywhere in it but
    inside a function or task."""
    names = set()
    for node in _nodes(module):
        if _kind(node) == "Declarator" and _kind(node.parent) in _DATA_DECLARATIONS:
            if not _inside(node, _ROUTINES):
                names.add(node.name.valueText)
        elif _kind(node) == "ImplicitAnsiPort":
            names.add(node.declarator.name.valueText)
    return frozenset(names)


def _port_names(module: Any) -> set[str]:
    ports = {n.declarator.name.valueText for n in _nodes(module) if _kind(n) == "ImplicitAnsiPort"}
    for node in _nodes(module):
        if _kind(node) == "PortDeclaration":
            ports.update(d.name.valueText for d in _nodes(node) if _kind(d) == "Declarator")
        elif _kind(node) == "ImplicitNonAnsiPort":
            ports.add(_text(node))
    return ports


def _edge_triggered(block: Any) -> bool:
    if _kind(block) not in _ALWAYS_WITH_EVENTS:
        return False
    control = getattr(block.statement, "timingControl", None)
    return control is not None and any(
        _kind(n) == "SignalEventExpression" and n.edge.valueText for n in _nodes(control)
    )


def _is_event_list(node: Any) -> bool:
    """Whether `node` is the event list of an always block, the one timing control allowed."""
    statement = node.parent
    return (
        _kind(node) in ("EventControlWithExpression", "ImplicitEventControl")
        and _kind(statement) == "TimingControlStatement"
        and _kind(statement.parent) in _ALWAYS_WITH_EVENTS
    )


def _is_edge_operand(node: Any) -> bool:
    parent = node.parent
    return _kind(parent) == "SignalEventExpression" and bool(parent.edge.valueText)


def _port_connected(node: Any) -> tuple[str, str] | None:
    """(module, port) when `node` is the whole expression of a named port connection
    (`.clk(clk)`) of an instance, else None."""
    parent = node.parent
    while _kind(parent) in ("SimpleSequenceExpr", "SimplePropertyExpr"):
        parent = parent.parent
    if _kind(parent) != "NamedPortConnection" or _kind(node) != "IdentifierName":
        return None
    instantiation = parent
    while instantiation is not None and _kind(instantiation) != "HierarchyInstantiation":
        instantiation = instantiation.parent
    if instantiation is None:
        return None
    return str(instantiation.type.valueText), str(parent.name.valueText)


def _is_assignment(node: Any) -> bool:
    return _kind(node) in ("AssignmentExpression", "NonblockingAssignmentExpression")


def _root_name(expression: Any) -> str | None:
    """The variable an assignment's left side writes (`out` of `out[i].f`)."""
    root = _root_node(expression)
    return None if root is None else str(root.identifier.valueText)


def _root_node(expression: Any) -> Any:
    """The name node of the variable an assignment's left side writes, or None."""
    while _kind(expression) in ("ScopedName", "ElementSelectExpression", "MemberAccessExpression"):
        expression = getattr(expression, "left", None) or getattr(expression, "value", None)
    return expression if _kind(expression) in _NAMES else None


def _inside(node: Any, kinds: frozenset[str]) -> bool:
    node = node.parent
    while node is not None:
        if _kind(node) in kinds:
            return True
        node = node.parent
    return False


def _nodes(root: Any) -> list[Any]:
    """Every syntax node and token under `root`, in order."""
    found: list[Any] = []

    def visit(node: Any) -> bool:
        found.append(node)
        return True

    root.visit(visit)
    return found


def _describe(kind: str) -> str:
    """`ParallelBlockStatement` as `a parallel block statement`."""
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in kind).strip()
    return f"a {words}"


def _kind(node: Any) -> str:
    return str(getattr(node, "kind", "")).rsplit(".", 1)[-1]


def _text(node: Any) -> str:
    return " ".join(str(node).split())[:60]
