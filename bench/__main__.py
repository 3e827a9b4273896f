"""Run the benchmarks: `python -m bench [--only NAME]`. Each prints JSON lines on stdout, nothing else.

Every benchmark is a module bench/<name>.py with a `main()`; each runs in its own process so it can pick its
settings and engines. Progress and logs go to stderr.
"""

import argparse
import pkgutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIP = {"common", "__main__"}


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name not in SKIP)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="run one benchmark: " + ", ".join(available()))
    args = parser.parse_args()
    names = [args.only] if args.only else available()
    unknown = set(names) - set(available())
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; known: {', '.join(available())}", file=sys.stderr)
        return 2
    failed = 0
    for name in names:
        result = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=HERE.parent)
        if result.returncode != 0:
            print(f"benchmark {name} failed (exit {result.returncode})", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
