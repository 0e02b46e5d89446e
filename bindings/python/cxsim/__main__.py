"""`python3 -m cxsim report results.h5 -o report.html`: the command-line entry of the package
(the `cxsim report` subcommand of the C++ CLI runs this)."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m cxsim", description="cxsim from Python")
    sub = parser.add_subparsers(dest="command", required=True)
    report = sub.add_parser("report", help="Write the decision report of a results file (HTML, or PDF via chromium)")
    report.add_argument("results", help="results file (HDF5) written by `cxsim run`")
    report.add_argument("-o", "--output", help="HTML file to write, or .pdf (default: the results name with .html)")
    report.add_argument("--title", help="page title")
    report.add_argument("--baseline", help="strategy the others are compared with")
    report.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    report.add_argument("--objective", default="profit", help="key figure the decision maximises (default profit)")
    report.add_argument("--indifference", type=float, default=None,
                        help="smallest difference in the objective worth acting on (confidence of the choice)")
    report.add_argument("--sensitivity", default=None,
                        help="a cxsim sensitivity file: adds 'Which assumptions matter' (tornado and index charts)")
    sub.add_parser("version", help="Print the version")
    args = parser.parse_args(argv)

    import cxsim

    if args.command == "version":
        print(f"cxsim {cxsim.__version__} ({cxsim.__git_sha__})")
        return 0
    output = args.output or os.path.splitext(os.path.basename(args.results))[0] + ".html"
    try:
        import matplotlib

        matplotlib.use("Agg")
        from cxsim.report import write_report

        write_report(args.results, output, title=args.title, baseline=args.baseline,
                     level=args.level, objective=args.objective, indifference=args.indifference,
                     sensitivity=args.sensitivity)
    except cxsim.InputError as e:
        print(f"cxsim: error: {e}", file=sys.stderr)
        return 2
    except (KeyError, ValueError) as e:
        print(f"cxsim: error: {e}", file=sys.stderr)
        return 2
    except RuntimeError as e:  # chromium failed to print a PDF
        print(f"cxsim: error: {e}", file=sys.stderr)
        return 1
    print(f"report: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
