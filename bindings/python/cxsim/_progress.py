"""A small progress bar for cxsim.run: an HTML bar updated in place in Jupyter, a text bar
redrawn with carriage returns on a terminal's stderr, nothing elsewhere (logs, pipes, CI)."""

from __future__ import annotations

import sys
import time
from html import escape as html_escape
from typing import Any, Callable

_WIDTH = 30


def _jupyter_display() -> Any | None:
    """IPython.display when running in a Jupyter kernel (not a terminal IPython), else None."""
    ipython_module = sys.modules.get("IPython")
    if ipython_module is None:
        return None
    try:
        shell = ipython_module.get_ipython()
    except Exception:
        return None
    if shell is None or type(shell).__name__ != "ZMQInteractiveShell":
        return None
    import IPython.display

    return IPython.display


def _eta(elapsed: float, fraction: float) -> str:
    if fraction <= 0:
        return "?"
    seconds = elapsed * (1 - fraction) / fraction
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


class ProgressBar:
    """Progress of a run, drawn from half a second in and at most a few times a second."""

    def __init__(self, label: str = "cxsim", delay: float = 0.5, interval: float = 0.25,
                 replications: int = 0) -> None:
        self.label = label
        self.replications = replications  # per strategy; 0: not known in advance (precision)
        self.current = ""  # the strategy and replication started last
        self.width = 0  # of the longest text line drawn, to clear it
        self.delay = delay
        self.interval = interval
        self.start = time.monotonic()
        self.last_draw = 0.0
        self.display = _jupyter_display()
        self.handle: Any = None
        self.drawn = False
        self.terminal = self.display is None and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()

    @property
    def enabled(self) -> bool:
        return self.display is not None or self.terminal

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        elapsed = now - self.start
        finished = total > 0 and done >= total
        if not self.enabled or total <= 0:
            return
        if not finished and (elapsed < self.delay or now - self.last_draw < self.interval):
            return
        if finished and not self.drawn:
            return  # a quick run: no bar at all
        self.last_draw = now
        fraction = min(1.0, done / total)
        if self.display is not None:
            self._draw_html(fraction, elapsed, finished)
        else:
            self._draw_text(fraction, elapsed, finished)
        self.drawn = not (finished and self.display is None)  # a finished text bar is cleared

    def task(self, strategy: str, replication: int) -> None:
        """Names the run started last (0-based replication), shown beside the bar."""
        of = f" of {self.replications}" if self.replications > 0 else ""
        name = strategy if len(strategy) <= 24 else strategy[:23] + "~"
        self.current = f"{name}, replication {replication + 1}{of}"

    def _draw_html(self, fraction: float, elapsed: float, finished: bool) -> None:
        status = f"done in {elapsed:.1f} s" if finished else f"ETA {_eta(elapsed, fraction)}"
        html = (
            f'<div style="font-family:monospace">{self.label} '
            f'<progress value="{fraction:.4f}" max="1" style="width:20em;vertical-align:middle"></progress> '
            f"{100 * fraction:3.0f}% {status}"
            + (f" &middot; {html_escape(self.current)}" if self.current and not finished else "")
            + "</div>"
        )
        obj = self.display.HTML(html)
        if self.handle is None:
            self.handle = self.display.display(obj, display_id=True)
        else:
            self.handle.update(obj)

    def _draw_text(self, fraction: float, elapsed: float, finished: bool) -> None:
        if finished:
            sys.stderr.write("\r" + " " * max(70, self.width) + "\r")
            sys.stderr.flush()
            return
        filled = int(fraction * _WIDTH)
        bar = "=" * filled + (">" + " " * (_WIDTH - filled - 1) if filled < _WIDTH else "")
        now = f"  {self.current}" if self.current else ""
        line = f"\r{self.label} [{bar}] {100 * fraction:3.0f}%  ETA {_eta(elapsed, fraction)}{now}"
        self.width = max(self.width, len(line))
        sys.stderr.write(line.ljust(self.width))
        sys.stderr.flush()

    def close(self) -> None:
        """Clears a text bar left after an error or interruption."""
        if self.terminal and self.drawn:
            sys.stderr.write("\r" + " " * max(70, self.width) + "\r")
            sys.stderr.flush()


ProgressCallback = Callable[[int, int], Any]
