#!/usr/bin/env python3
"""The layering check: every library depends only on its own layer or the layers below it.

Usage: check_layering.py PROJECT_ROOT

Reads the layer table from docs/architecture.md (the fenced block after the line
"<!-- layers: read by tests/structure/check_layering.py -->"), so the document and the check
cannot drift apart. Each table line is "N name: module module ..."; a module is a folder below
src/ ("aws/vpcrouter" for a nested one). Then, for every module's library code (test files,
*_test.cc, and testing/ folders are left out: a test may start a binary of any layer):
  * every `#include "x/..."` of a project header, and
  * every `romana::target` in the romana_library(...) calls of its CMakeLists.txt
must name the module itself, or a module of the same or a lower layer. On top of the layers:
  * modules of a layer marked "(isolated)" may not depend on each other (components stay apart);
  * a module listed under "cloud:" may be used only by modules also listed there (the AWS add-ons
    are used by their own binaries, never by the lab or the components);
  * the module graph has no cycle;
  * no header under src/ turns clang-format off (a sign of an include order that matters);
  * every module folder is in the table.
Prints one line per violation and exits 1 when there is any; prints a summary and exits 0 otherwise.
"""

import os
import re
import sys

MARKER = "<!-- layers: read by tests/structure/check_layering.py -->"


def read_layers(root):
    text = open(os.path.join(root, "docs", "architecture.md"), encoding="utf-8").read()
    at = text.find(MARKER)
    if at < 0:
        sys.exit("docs/architecture.md: the layer table marker is missing")
    block = re.search(r"```[a-z]*\n(.*?)```", text[at:], re.S)
    if not block:
        sys.exit("docs/architecture.md: no fenced layer table after the marker")
    layer_of, isolated, cloud = {}, set(), set()
    for line in block.group(1).splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        head, _, mods = line.partition(":")
        if head.strip() == "cloud":
            cloud.update(mods.split())
            continue
        m = re.match(r"(\d+)\s+([\w-]+)(\s+\(isolated\))?$", head.strip())
        if not m:
            sys.exit(f"docs/architecture.md: bad layer line: {line!r}")
        rank = int(m.group(1))
        if m.group(3):
            isolated.add(rank)
        for mod in mods.split():
            layer_of[mod] = rank
    return layer_of, isolated, cloud


def module_dirs(root):
    """Every folder below src/ with a CMakeLists.txt, as "name" or "parent/name"."""
    out = []
    src = os.path.join(root, "src")
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if d not in ("testing", "proto"))
        if "CMakeLists.txt" in filenames and dirpath != src:
            out.append(os.path.relpath(dirpath, src))
    return sorted(out)


def owner(path_in_src, modules):
    """The module that holds a path below src/ (the longest matching folder)."""
    best = None
    for m in modules:
        if path_in_src == m or path_in_src.startswith(m + "/"):
            if best is None or len(m) > len(best):
                best = m
    return best


def is_test_file(rel):
    parts = rel.split("/")
    return "testing" in parts or rel.endswith("_test.cc") or rel.endswith("_test.h")


def cmake_calls(text, name):
    """The argument text of every `name(...)` call (balanced parentheses)."""
    for m in re.finditer(r"\b%s\s*\(" % re.escape(name), text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        yield text[m.end():i - 1]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    layer_of, isolated, cloud = read_layers(root)
    modules = module_dirs(root)
    src = os.path.join(root, "src")
    problems = []
    for m in modules:
        if m not in layer_of:
            problems.append(f"src/{m}: not in the layer table of docs/architecture.md")

    # Which module defines each romana:: library, and which libraries each library links.
    target_module, links = {}, {}
    for m in modules:
        text = open(os.path.join(src, m, "CMakeLists.txt"), encoding="utf-8").read()
        text = re.sub(r"#[^\n]*", "", text)
        for args in cmake_calls(text, "romana_library"):
            words = args.split()
            target_module[words[0]] = m
            if not (words[0].endswith("_testing") or words[0].endswith("_fixture")):
                links.setdefault(m, []).extend((words[0], d) for d in re.findall(r"romana::(\w+)", args))
        for t in re.findall(r"add_library\(romana_(\w+)", text):
            target_module.setdefault(t, m)

    # edges[(from, to)] = a place that shows it.
    edges = {}
    for m, pairs in links.items():
        for lib, dep in pairs:
            to = target_module.get(dep)
            if to is None:
                problems.append(f"src/{m}/CMakeLists.txt: {lib} links romana::{dep}, which no module defines")
            elif to != m:
                edges.setdefault((m, to), f"src/{m}/CMakeLists.txt: romana_{lib} links romana::{dep}")
    include_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
    for dirpath, dirnames, filenames in os.walk(src):
        for f in sorted(filenames):
            if not f.endswith((".h", ".cc")):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), src)
            m = owner(rel, modules)
            text = open(os.path.join(dirpath, f), encoding="utf-8", errors="replace").read()
            if f.endswith(".h") and "clang-format off" in text:
                problems.append(f"src/{rel}: turns clang-format off (a header must not depend on include order)")
            if m is None or is_test_file(rel):
                continue
            for inc in include_re.findall(text):
                to = owner(inc, modules)
                if to is not None and to != m and os.path.exists(os.path.join(src, inc)):
                    edges.setdefault((m, to), f"src/{rel}: #include \"{inc}\"")

    for (a, b), where in sorted(edges.items()):
        la, lb = layer_of.get(a), layer_of.get(b)
        if la is None or lb is None:
            continue
        if lb > la:
            problems.append(f"{where}: {a} (layer {la}) depends on {b} (layer {lb}, above it)")
        elif la == lb and la in isolated:
            problems.append(f"{where}: {a} and {b} are both in isolated layer {la}; move what both need below")
        if b in cloud and a not in cloud:
            problems.append(f"{where}: {a} depends on the cloud add-on {b}")

    # Cycles (within a layer; across layers the rank rule already forbids them).
    graph = {}
    for (a, b) in edges:
        graph.setdefault(a, set()).add(b)
    state = {}

    def visit(n, stack):
        state[n] = 1
        for nxt in sorted(graph.get(n, ())):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                problems.append("module cycle: " + " -> ".join(cycle))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n, [n])

    if problems:
        for p in problems:
            print(p)
        print(f"layering: {len(problems)} violation(s)")
        return 1
    print(f"layering: {len(modules)} modules, {len(edges)} module dependencies, all pointing down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
