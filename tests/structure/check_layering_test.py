#!/usr/bin/env python3
"""Tests of check_layering.py on small trees made here: a clean tree passes; an upward #include,
an upward link, a dependency between isolated components, a use of a cloud module, a module
missing from the table and a header with clang-format off each fail, naming the offence."""

import os
import subprocess
import sys
import tempfile

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_layering.py")

TABLE = """# Architecture
<!-- layers: read by tests/structure/check_layering.py -->
```text
1 foundation: base
2 wire: api
3 logic: policy
4 components (isolated): agent daemon aws/vpcrouter
5 tools: lab
cloud: aws/vpcrouter
```
"""


def make_tree(root, files):
    base = {
        "docs/architecture.md": TABLE,
        "src/base/CMakeLists.txt": "romana_library(base SRCS clock.cc)\n",
        "src/base/clock.h": "#pragma once\n",
        "src/api/CMakeLists.txt": "romana_library(api SRCS types.cc PUBLIC romana::base)\n",
        "src/api/types.h": '#include "base/clock.h"\n',
        "src/policy/CMakeLists.txt": "romana_library(policy SRCS policy.cc PUBLIC romana::api)\n",
        "src/policy/policy.h": '#include "api/types.h"\n',
        "src/agent/CMakeLists.txt": "romana_library(agent SRCS agent.cc PUBLIC romana::policy)\n",
        "src/agent/agent.h": '#include "policy/policy.h"\n',
        "src/daemon/CMakeLists.txt": "romana_library(daemon SRCS d.cc PRIVATE romana::policy)\n",
        "src/daemon/d.h": "\n",
        "src/aws/vpcrouter/CMakeLists.txt": "romana_library(vpcrouter SRCS r.cc PUBLIC romana::api)\n",
        "src/aws/vpcrouter/r.h": "\n",
        "src/lab/CMakeLists.txt": "romana_library(lab SRCS lab.cc PRIVATE romana::agent)\n",
        "src/lab/lab.h": '#include "agent/agent.h"\n',
        # Test code may use any layer.
        "src/base/clock_test.cc": '#include "lab/lab.h"\n',
    }
    base.update(files)
    for path, text in base.items():
        if text is None:
            continue
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)


def run(files):
    with tempfile.TemporaryDirectory() as root:
        make_tree(root, files)
        p = subprocess.run([sys.executable, CHECK, root], capture_output=True, text=True)
        return p.returncode, p.stdout + p.stderr


def main():
    failures = []

    def expect(name, files, code, needle):
        rc, out = run(files)
        if rc != code or needle not in out:
            failures.append(f"{name}: want exit {code} and {needle!r}; got exit {rc}:\n{out}")

    expect("clean tree", {}, 0, "all pointing down")
    expect("upward include", {"src/api/types.cc": '#include "policy/policy.h"\n'}, 1,
           "api (layer 2) depends on policy (layer 3, above it)")
    expect("upward link", {"src/base/CMakeLists.txt": "romana_library(base SRCS c.cc PRIVATE romana::api)\n"}, 1,
           "base (layer 1) depends on api (layer 2, above it)")
    expect("isolated components", {"src/agent/agent.cc": '#include "daemon/d.h"\n'}, 1, "isolated layer 4")
    expect("cloud module", {"src/lab/lab.cc": '#include "aws/vpcrouter/r.h"\n'}, 1,
           "lab depends on the cloud add-on aws/vpcrouter")
    expect("module not in the table", {"src/extra/CMakeLists.txt": "romana_library(extra SRCS e.cc)\n"}, 1,
           "src/extra: not in the layer table")
    expect("clang-format off", {"src/api/types.h": "// clang-format off\n"}, 1, "turns clang-format off")
    for f in failures:
        print(f)
    print(f"check_layering_test: {7 - len(failures)}/7 cases pass")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
