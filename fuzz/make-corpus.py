#!/usr/bin/env python3
"""Writes attn-fuzz's seed corpus: every .mlir file under test/ and examples/.

Usage: make-corpus.py SOURCE_ROOT OUT_DIR

A file of lit's -split-input-file cases becomes one seed per case, and a case
of more than 4 KB with several top-level func.func becomes one seed per
function (with the case's non-comment lines before the first one, e.g.
#map aliases): a seed of many kernels takes seconds per execution. The lines
`// RUN:` and FileCheck's `// CHECK...` / `// <PREFIX>:` lines are dropped
(expected-error annotations stay: they are ordinary comments). A case from a
file whose RUN lines name sm_100a is written a second time, starting with
`// chip=sm_100a`, which makes attn-fuzz run it for that chip (once only when
every RUN line names sm_100a); likewise `// prefill-kernel=portable` for
the RUN lines that name it. Prints the number of seeds.
"""

import hashlib
import os
import re
import sys

SPLIT = re.compile(r"^// -----\s*$", re.M)
# `// RUN:`, `// CHECK:`, `// CHECK-NEXT:`, `// BIN-LABEL:`, `// PTX88:`...
DIRECTIVE = re.compile(r"^\s*// ?[A-Z][A-Z0-9_]*(-[A-Z]+)*:")


def split_functions(lines):
    """One list of lines per top-level func.func of a large case."""
    starts = [i for i, l in enumerate(lines) if l.startswith("func.func")]
    if len(starts) < 2 or sum(len(l) + 1 for l in lines) <= 4096:
        return [lines]
    header = [l for l in lines[: starts[0]]
              if l.strip() and not l.lstrip().startswith("//")]
    ends = starts[1:] + [len(lines)]
    return [header + lines[b:e] for b, e in zip(starts, ends)]


def main():
    root, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    count = 0
    for top in ("test", "examples"):
        for dirpath, _, files in sorted(os.walk(os.path.join(root, top))):
            for name in sorted(files):
                if not name.endswith(".mlir"):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                runs = [l for l in text.splitlines() if "RUN:" in l]
                variants = [""]
                if any("sm_100a" in l for l in runs):
                    variants.append("// chip=sm_100a\n")
                    if all("sm_100a" in l for l in runs):
                        variants.remove("")
                if any("prefill-kernel=portable" in l and "sm_100a" not in l
                       for l in runs):
                    variants.append("// prefill-kernel=portable\n")
                rel = os.path.relpath(path, root).replace(os.sep, "_")
                for i, case in enumerate(SPLIT.split(text)):
                    lines = [l for l in case.splitlines()
                             if not DIRECTIVE.match(l)]
                    for part in split_functions(lines):
                        seed = "\n".join(part).strip() + "\n"
                        if not seed.strip():
                            continue
                        for prefix in variants:
                            data = prefix + seed
                            digest = hashlib.sha1(data.encode()).hexdigest()[:8]
                            name = f"{rel}.{i}.{digest}"
                            with open(os.path.join(out, name), "w",
                                      encoding="utf-8") as f:
                                f.write(data)
                            count += 1
    print(count)


if __name__ == "__main__":
    main()
