"""`python3 -m cxsim report results.h5 -o report.html`: the command-line entry of the package
(the `cxsim report` subcommand of the C++ CLI runs this).

Like `cxsim run` (docs/reliability.md): bad input (a missing or damaged file, a wrong option
value, an output path that may not be written) ends in one line `cxsim: error: ...` naming the
file or option, and exit status 2, before anything is rendered; the report is written next to its
target and renamed onto it, so an interruption leaves nothing half-written (exit 130 or 143)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Any, NoReturn


class _Parser(argparse.ArgumentParser):
    """argparse with cxsim's one-line errors (exit 2) instead of the usage text."""

    def error(self, message: str) -> NoReturn:
        _say(f"cxsim: error: {message} (see: cxsim report --help)")
        sys.exit(2)


class _Terminated(BaseException):
    """SIGTERM, raised where the program is so that temporary files are removed."""


def _shown(text: str) -> str:
    """``text`` with control characters and undecodable bytes (from file names) as \\xNN."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x20 or 0x7F <= code < 0xA0 or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _say(line: str) -> None:
    try:
        print(_shown(line), file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
    _say(f"cxsim: warning: {message}")


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python3 -m cxsim", description="cxsim from Python")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    report = sub.add_parser("report", help="Write the decision report of a results file (HTML, or PDF via chromium)")
    report.add_argument("results", help="results file (HDF5) written by `cxsim run`, or a `cxsim sensitivity` file")
    report.add_argument("-o", "--output",
                        help="HTML (.html, .htm) or .pdf file to write: a new path, or with --force a report cxsim "
                             "wrote (default: the results name with .html here, or -2.html, -3.html, ... when taken)")
    report.add_argument("--force", action="store_true",
                        help="replace an existing report that cxsim wrote (never any other file)")
    report.add_argument("--title", help="page title")
    report.add_argument("--baseline", help="strategy the others are compared with")
    report.add_argument("--level", default="0.95", help="confidence level, a number in (0, 1) (default 0.95)")
    report.add_argument("--objective", default="profit", help="key figure the decision maximises (default profit)")
    report.add_argument("--indifference", default=None,
                        help="smallest difference in the objective worth acting on, above 0 (confidence of the choice)")
    report.add_argument("--sensitivity", default=None,
                        help="a cxsim sensitivity file: adds 'Which assumptions matter' (tornado and index charts)")
    sub.add_parser("version", help="Print the version")
    args = parser.parse_args(argv)

    import cxsim

    if args.command == "version":
        print(f"cxsim {cxsim.__version__} ({cxsim.__git_sha__})")
        return 0

    import warnings

    shown_warning = warnings.showwarning
    warnings.showwarning = _warning

    def terminate(signum: int, frame: Any) -> None:
        raise _Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    state: dict[str, Any] = {}
    try:
        return _report(args, state)
    except cxsim.InputError as e:
        _say(f"cxsim: error: {e}")
        return 2
    except KeyError as e:  # a name the results lack, from pandas or the results
        _say(f"cxsim: error: {args.results}: {e.args[0] if e.args else e}")
        return 2
    except (KeyboardInterrupt, _Terminated) as e:
        target = state.get("target")
        if target is not None and target.published:  # too late to undo: the report is complete
            print(_shown(f"report: {target.path}"))
            return 0
        _say("cxsim: interrupted; no report written")
        return 143 if isinstance(e, _Terminated) else 130
    except RuntimeError as e:  # chromium failed to print a PDF
        _say(f"cxsim: error: {e}")
        return 1
    except MemoryError:
        _say(f"cxsim: error: {args.results}: not enough memory to make the report")
        return 1
    except Exception as e:  # noqa: BLE001 - never a traceback; a bug, reported as such
        if os.environ.get("CXSIM_DEBUG"):
            raise
        _say(f"cxsim: internal error: making the report of {args.results}: {type(e).__name__}: {e} "
             "(set CXSIM_DEBUG=1 for the traceback)")
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
        warnings.showwarning = shown_warning


def _report(args: argparse.Namespace, state: dict[str, Any]) -> int:
    """Checks everything (options, input files, the output path), then renders and publishes."""
    import cxsim
    from cxsim import report as rp
    from cxsim.studies import read_sensitivity

    level = rp.check_level(args.level, "--level")
    indifference = None if args.indifference is None else rp.check_indifference(args.indifference, "--indifference")
    if rp._is_sensitivity_file(args.results):
        study = read_sensitivity(args.results)
        results = None
    else:
        results = cxsim.load(args.results)  # cxsim.ResultsError names the file and the problem
        study = None
    sensitivity = read_sensitivity(args.sensitivity) if args.sensitivity is not None else None
    if results is not None:
        rp.check_baseline(results, args.baseline, "--baseline")
        rp.check_objective(results, args.objective, args.baseline, "--objective")
    output = args.output if args.output is not None else rp.default_report_path(args.results)
    target = rp.check_report_output(output, replace=args.force,
                                    protected=[(args.results, "the results file being reported"),
                                               (args.sensitivity, "the --sensitivity file")])
    state["target"] = target

    import matplotlib

    matplotlib.use("Agg")
    if study is not None:
        text = rp.render_sensitivity_report(study, title=args.title)
    else:
        text = rp.render_report(results, title=args.title, baseline=args.baseline, level=level,
                                objective=args.objective, indifference=indifference, sensitivity=sensitivity)
    rp.publish_report(text, target)
    print(_shown(f"report: {target.path}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
