#!/usr/bin/env python3
"""Checks that cxsim's layers depend one way (docs/architecture.md).

Every #include "layer/file.hpp" in sim/<layer>/, bindings/, tests/ and bench/ must name a layer
that the including layer may use. The model layers (core, service, model, kpi, experiment) never
include I/O or text formatting: no io/ or cli/ headers, no core/text.hpp (except core/params.cpp,
whose "did you mean" suggestions need the edit distance), and no <iostream>, <fstream>, <cstdio>,
<filesystem>, HDF5, TOML or CLI11 headers.

    check_layers.py [ROOT]       exit 0 when every include is allowed, 1 listing the others
    check_layers.py --self-test  shows that a violation in a scratch tree is found
"""
import pathlib
import re
import sys
import tempfile

# layer -> the layers it may include (itself included).
ALLOWED = {
    "core": {"core"},
    "service": {"core", "service"},
    "model": {"core", "service", "model"},
    "kpi": {"core", "kpi"},
    "experiment": {"core", "service", "model", "kpi", "experiment"},
    "io": {"core", "service", "model", "kpi", "experiment", "io"},
    "app": {"core", "service", "model", "kpi", "experiment", "io", "app"},
    "mpi": {"core", "service", "model", "kpi", "experiment", "mpi"},
    "cli": {"core", "service", "model", "kpi", "experiment", "io", "app", "mpi", "cli"},
}
MODEL_LAYERS = {"core", "service", "model", "kpi", "experiment"}
FORBIDDEN_SYSTEM = re.compile(r"#include <(iostream|fstream|cstdio|filesystem|hdf5\.h|H5.*|toml\+\+/.*|CLI/.*)>")
LOCAL = re.compile(r'#include "([a-z_]+)/[^"]+"')
TEXT_ALLOWED = {"core/params.cpp"}


def violations(root: pathlib.Path):
    sim = root / "sim"
    for path in sorted(sim.rglob("*.[ch]pp")):
        layer = path.relative_to(sim).parts[0]
        if layer not in ALLOWED:
            yield f"{path}: sim/{layer}/ is not a known layer (add it to ALLOWED and docs/architecture.md)"
            continue
        rel = str(path.relative_to(sim))
        for number, line in enumerate(path.read_text().splitlines(), 1):
            m = LOCAL.match(line.strip())
            if m and m.group(1) in ALLOWED and m.group(1) not in ALLOWED[layer]:
                yield f"{path}:{number}: layer '{layer}' includes '{m.group(1)}', a layer above it: {line.strip()}"
            if layer in MODEL_LAYERS:
                if FORBIDDEN_SYSTEM.match(line.strip()):
                    yield f"{path}:{number}: the model layer '{layer}' includes I/O: {line.strip()}"
                if '"core/text.hpp"' in line and rel not in TEXT_ALLOWED:
                    yield f"{path}:{number}: the model layer '{layer}' includes text formatting: {line.strip()}"
    # Bindings and the rest may use any layer but the command line.
    for folder in ("bindings", "tests", "bench"):
        for path in sorted((root / folder).rglob("*.[ch]pp")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if line.strip().startswith('#include "cli/'):
                    yield f"{path}:{number}: only the command line includes cli/: {line.strip()}"


def self_test() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        for layer in ("model", "bindings"):
            (root / "sim" / layer if layer != "bindings" else root / layer).mkdir(parents=True)
        (root / "tests").mkdir()
        (root / "bench").mkdir()
        (root / "sim/model/ok.cpp").write_text('#include "core/params.hpp"\n#include <vector>\n')
        clean = list(violations(root))
        (root / "sim/model/bad.cpp").write_text('#include "io/h5.hpp"\n#include <cstdio>\n#include "core/text.hpp"\n')
        (root / "bindings/bad.cpp").write_text('#include "cli/erlang_command.hpp"\n')
        found = list(violations(root))
    if clean or len(found) != 4:
        print("self-test FAILED: clean tree", clean, "bad tree", found)
        return 1
    print("self-test: a clean tree passes and all 4 planted violations are found")
    return 0


def main() -> int:
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2])
    found = list(violations(root))
    for v in found:
        print(v)
    files = len(list((root / "sim").rglob("*.[ch]pp")))
    print(f"layering: {files} files checked, {len(found)} violations")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
