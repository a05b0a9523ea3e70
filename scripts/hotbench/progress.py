"""Progress of a long run: a live line on a terminal, silence in CI (no TTY)."""

import sys
import time


class Progress:
    def __init__(self, total: int, what: str, stream=None):
        self.total, self.what, self.n = total, what, 0
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.start = time.monotonic()

    def step(self, name: str) -> None:
        self.n += 1
        if not self.live:
            return
        elapsed = time.monotonic() - self.start
        eta = elapsed / self.n * (self.total - self.n)
        line = f"[{self.n}/{self.total}] {self.what}: {name}  elapsed {_clock(elapsed)}, ~{_clock(eta)} left"
        self.stream.write("\r\x1b[K" + line[:160])
        self.stream.flush()

    def done(self) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"
