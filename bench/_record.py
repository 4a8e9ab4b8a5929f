"""What every benchmark record carries (machine, load, backend, date) and how it is written (JSON + Markdown)."""
from __future__ import annotations

import datetime
import json
import os
import platform
import time
from pathlib import Path

import keras
import numpy as np

from kzoo._files import write_text_atomically


class EpochTimer(keras.callbacks.Callback):
    """Wall seconds of each training epoch, in ``times``, and the process's CPU seconds (all threads) in
    ``cpu_times``: on a shared machine the CPU time moves less with the other jobs' load."""

    def on_train_begin(self, logs=None):
        self.times, self.cpu_times = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.start, self.cpu_start = time.perf_counter(), time.process_time()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.start)
        self.cpu_times.append(time.process_time() - self.cpu_start)


def environment() -> dict:
    """The machine, its load now, the backend, the versions and the date, for a benchmark record."""
    return {"machine": f"{platform.machine()} CPU, {os.cpu_count()} cores (shared with other jobs)",
            "load_average": round(os.getloadavg()[0], 1), "backend": keras.backend.backend(),
            "keras": keras.__version__, "python": platform.python_version(),
            "date": datetime.date.today().isoformat()}


def measured(record: dict) -> str:
    """The sentence a record's Markdown gives its date, machine, backend and load, from ``environment()``'s fields."""
    return (f"Measured {record['date']}, {record['machine']}, {record['backend']} "
            f"(load average {record['load_average']}).")


def mean_std(values: list[float]) -> str:
    """Accuracies (fractions) as ``mean ± std`` in percent, one decimal; a single value without the spread."""
    spread = f" ± {100 * np.std(values):.1f}" if len(values) > 1 else ""
    return f"{100 * np.mean(values):.1f}{spread}"


def write(record: dict, out: str | Path, markdown: str | None = None) -> None:
    """``record`` to ``out`` (JSON) and ``markdown``, if given, beside it (same name, ``.md``), each
    written whole or not at all; prints the Markdown."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(out, json.dumps(record, indent=2) + "\n")
    if markdown is not None:
        write_text_atomically(out.with_suffix(".md"), markdown)
        print(markdown)
