"""What every benchmark record carries (machine, load, backend, date) and how it is written (JSON + Markdown)."""
import datetime
import json
import os
import platform
import time

import keras


class EpochTimer(keras.callbacks.Callback):
    """Wall seconds of each training epoch, in ``times``."""

    def on_train_begin(self, logs=None):
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.start)


def environment() -> dict:
    """The machine, its load now, the backend and the date, for a benchmark record."""
    return {"machine": f"{platform.machine()} CPU, {os.cpu_count()} cores (shared with other jobs)",
            "load_average": round(os.getloadavg()[0], 1), "backend": keras.backend.backend(),
            "keras": keras.__version__, "date": datetime.date.today().isoformat()}


def write(record: dict, out: str, markdown: str) -> None:
    """``record`` to ``out`` (JSON) and ``markdown`` beside it (same name, ``.md``); prints the Markdown."""
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w") as f:
        json.dump(record, f, indent=2)
    with open(out.removesuffix(".json") + ".md", "w") as f:
        f.write(markdown)
    print(markdown)
