"""Plots for the course: a look at a batch of data (images, audio as log-mels, text as a table)."""
from __future__ import annotations

import math
import textwrap

import numpy as np

from kzoo._checks import check_scalar, whole_number
from kzoo._data import is_dataset
from kzoo._modalities import check_modality
from kzoo.errors import InputError, did_you_mean

_TEXT_WIDTH = 90  # characters per line of a text-table cell


def _in_notebook() -> bool:
    """True inside a Jupyter-style kernel (Jupyter, Colab, VS Code), where rich output is shown."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return hasattr(get_ipython(), "kernel")


def _take(data, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` examples of ``(x, y)`` arrays or of a (batched or unbatched) dataset."""
    if is_dataset(data):
        spec = data.element_spec
        if not isinstance(spec, tuple) or len(spec) != 2:
            raise InputError("show_batch needs a dataset of (x, y) pairs.")
        if spec[1].shape.rank:  # labels are scalars per example, so rank >= 1 means batches
            data = data.unbatch()
        pairs = list(data.take(n).as_numpy_iterator())
        if not pairs:
            raise InputError("The dataset is empty; there is nothing to show.")
        x, y = np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        x, y = np.asarray(data[0])[:n], np.asarray(data[1])[:n]
        if len(x) == 0 or len(x) != len(y):
            raise InputError(f"show_batch needs equally long, non-empty x and y; got {len(x)} and {len(y)}.")
    else:
        raise InputError("data must be an (x, y) pair of arrays or a tf.data.Dataset of (x, y), "
                         f"got {type(data).__name__}.")
    if x.dtype.kind in "SO":
        x = np.asarray([s.decode("utf-8") if isinstance(s, bytes) else str(s) for s in x], dtype=object)
    return x, (y.argmax(-1) if y.ndim == 2 else y)  # one-hot labels -> class indices


def _guess_modality(x: np.ndarray) -> str:
    if x.dtype.kind in "OUS":
        return "text"
    if x.ndim == 2:
        return "audio"
    if x.ndim in (3, 4):
        return "image"
    raise InputError(f"Cannot tell the modality of examples shaped {x.shape[1:]}; pass modality=.")


def _label(y, class_names) -> str:
    if class_names is not None and np.issubdtype(type(y), np.integer) and 0 <= y < len(class_names):
        return str(class_names[y])
    return str(y.item() if hasattr(y, "item") else y)


def _grid(count: int, cell: tuple[float, float]):
    import matplotlib.pyplot as plt

    cols = math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cell[0] * cols, cell[1] * rows), squeeze=False)
    for ax in axes.flat[count:]:
        ax.axis("off")
    return fig, axes.flat


def _show_images(x: np.ndarray, labels: list[str]):
    fig, axes = _grid(len(x), (2.2, 2.4))
    for ax, image, label in zip(axes, x, labels):
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        if image.ndim == 2:  # grey levels in any range (digits are 0..16)
            ax.imshow(image, cmap="gray_r")
        else:
            image = image.astype(np.float32)
            ax.imshow(np.clip(image / 255.0 if image.max() > 1.0 else image, 0.0, 1.0))
        ax.set_title(label, fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    return fig


def log_mel(wave: np.ndarray, sample_rate: int, n_mels: int = 64) -> np.ndarray:
    """A log-mel spectrogram computed with numpy (25 ms Hann windows, 10 ms hop, the audio front end's
    Slaney mel filters from ``kzoo.audio.frontend.mel_filterbank``).

    Args:
        wave: float (samples,) audio.
        sample_rate: its rate in Hz.
        n_mels: mel bands between 0 Hz and the Nyquist frequency.

    Returns:
        float32 (n_mels, frames): natural log of mel-band power (floored at 1e-10).

    Raises:
        kzoo.InputError: ``wave`` is not 1-D.

    Example:
        >>> log_mel(np.zeros(16000), 16000).shape
        (64, 97)
    """
    wave = np.asarray(wave, np.float32)
    if wave.ndim != 1:
        raise InputError(f"log_mel needs one 1-D waveform, got shape {wave.shape}.")
    n_fft = 2 ** math.ceil(math.log2(0.025 * sample_rate))
    hop = round(0.010 * sample_rate)
    wave = np.pad(wave, (0, max(0, n_fft - len(wave))))
    frames = np.lib.stride_tricks.sliding_window_view(wave, n_fft)[::hop] * np.hanning(n_fft)
    power = np.abs(np.fft.rfft(frames, axis=-1)) ** 2
    from kzoo.audio.frontend import mel_filterbank

    filters = mel_filterbank(sample_rate, n_fft, n_mels)
    return np.log(np.maximum(power @ filters, 1e-10)).T.astype(np.float32)


def _show_audio(x: np.ndarray, labels: list[str], sample_rate: int):
    fig, axes = _grid(len(x), (2.6, 2.2))
    for ax, wave, label in zip(axes, x, labels):
        spectrogram = log_mel(wave, sample_rate)
        top = spectrogram.max()  # show 12 nats (about 52 dB) below the peak; padding stays black
        ax.imshow(spectrogram, origin="lower", aspect="auto", cmap="magma", vmin=top - 12.0, vmax=top)
        ax.set_title(label, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.supxlabel("time", fontsize=9)
    fig.supylabel("mel band", fontsize=9)
    fig.tight_layout()
    if _in_notebook():
        from IPython.display import Audio, display

        for wave, label in zip(x, labels):
            print(label)
            display(Audio(np.asarray(wave, np.float32), rate=sample_rate))
    return fig


def _show_text(x: np.ndarray, labels: list[str]):
    import matplotlib.pyplot as plt

    cells = [[label, textwrap.fill(str(text), _TEXT_WIDTH)] for text, label in zip(x, labels)]
    lines = [cell[1].count("\n") + 1 for cell in cells]
    total = sum(lines) + 1  # + the header row
    fig, ax = plt.subplots(figsize=(11, 0.25 * total + 0.4))
    ax.axis("off")
    table = ax.table(cellText=cells, colLabels=["label", "text"], colWidths=[0.14, 0.86],
                     cellLoc="left", loc="upper center")
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    for (row, _), cell in table.get_celld().items():
        cell.set_height((lines[row - 1] if row else 1) / total)
        cell.PAD = 0.01  # matplotlib's default indents text by a tenth of the column's width
    return fig


def show_batch(data, class_names=None, *, modality: str | None = None, n: int = 16,
               sample_rate: int = 16000):
    """Show the first examples of a data set with their labels.

    Images appear in a grid (RGB 0..255 or 0..1, or grey levels), audio clips as a grid of log-mel
    spectrograms (and, in a notebook, one audio player per clip below it), text as a table.

    Args:
        data: ``(x, y)`` numpy arrays or a ``tf.data.Dataset`` of ``(x, y)`` (batched or not), e.g.
            from ``kzoo.datasets.load``.
        class_names: names of the label indices; default: the dataset's ``class_names`` attribute.
        modality: ``"image"``, ``"audio"`` or ``"text"``; default: guessed from ``x`` (strings are
            text, (N, samples) is audio, (N, H, W[, C]) is an image).
        n: how many examples to show.
        sample_rate: the audio's rate in Hz (for the spectrograms and players).

    Returns:
        The matplotlib ``Figure``. (In a notebook, end the line with ``;`` or assign the result, or
        the figure is shown twice.)

    Raises:
        kzoo.InputError: data that is not (x, y), an empty data set, a bad ``n`` or ``modality``.

    Example:
        >>> from kzoo import datasets, plots
        >>> fig = plots.show_batch(datasets.load("digits", "test"), n=8)
        >>> [ax.get_title() for ax in fig.axes[:8]]
        ['7', '6', '3', '7', '7', '3', '2', '8']
    """
    whole_number("n", n)
    check_modality(modality)
    if class_names is None:
        class_names = getattr(data, "class_names", None)
    x, y = _take(data, int(n))
    labels = [_label(label, class_names) for label in y]
    modality = modality or _guess_modality(x)
    if modality == "image":
        return _show_images(x, labels)
    if modality == "audio":
        if x.ndim != 2:
            raise InputError(f"audio must be (N, samples) waveforms, got shape {x.shape}.")
        return _show_audio(x, labels, sample_rate)
    return _show_text(x, labels)


def plot_accuracy_matrix(matrix, ax=None):
    """Draw a continual-learning accuracy matrix R as a heat map with its values.

    Row i is the model after training step i, column j the test examples of step j's classes (see
    ``kzoo.incremental.accuracy_matrix``). Below the diagonal is what was kept of earlier steps (the
    darker, the more was forgotten); above it, in class-incremental learning, classes not learned yet.

    Args:
        matrix: R, a 2-D array of accuracies in [0, 1].
        ax: a matplotlib ``Axes`` to draw in (default: a new figure).

    Returns:
        The matplotlib ``Figure``.

    Raises:
        kzoo.InputError: ``matrix`` is not a 2-D array of numbers in [0, 1].

    Example:
        >>> from kzoo import plots
        >>> fig = plots.plot_accuracy_matrix([[0.99, 0.0], [0.60, 0.98]])
    """
    import matplotlib.pyplot as plt

    R = np.asarray(matrix, dtype=float)
    if R.ndim != 2 or not R.size or not np.all((R >= 0) & (R <= 1)):
        raise InputError(f"matrix must be a 2-D array of accuracies in [0, 1] (kzoo.incremental.accuracy_matrix); "
                         f"got shape {R.shape}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.0 + 0.7 * R.shape[1], 0.8 + 0.6 * R.shape[0]))
    image = ax.imshow(R, vmin=0.0, vmax=1.0, cmap="viridis")
    for (i, j), value in np.ndenumerate(R):
        ax.text(j, i, f"{100 * value:.0f}", ha="center", va="center", fontsize=9,
                color="black" if value > 0.6 else "white")
    ax.set_xticks(range(R.shape[1]), [str(j + 1) for j in range(R.shape[1])])
    ax.set_yticks(range(R.shape[0]), [str(i + 1) for i in range(R.shape[0])])
    ax.set(xlabel="tested on the classes of step", ylabel="after training step", title="Accuracy (%)")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return ax.figure


def plot_confusion(y_true, y_pred, class_names, ax=None):
    """Draw a confusion matrix: rows are true classes, columns predicted ones, cells count examples.

    Colours are normalised per row (the share of a true class that went to each prediction), so a
    rare class is as visible as a common one; the numbers are counts.

    Args:
        y_true: integer labels (N,).
        y_pred: predicted labels (N,), or scores/logits (N, classes) whose argmax is taken.
        class_names: one name per class index.
        ax: a matplotlib ``Axes`` to draw in (default: a new figure).

    Returns:
        The matplotlib ``Figure``.

    Raises:
        kzoo.InputError: lengths differ, or labels are not integers indexing ``class_names``.

    Example:
        >>> from kzoo import plots
        >>> fig = plots.plot_confusion([0, 1, 1], [0, 1, 0], ["cat", "dog"])
    """
    import matplotlib.pyplot as plt

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_pred.ndim == 2:
        y_pred = y_pred.argmax(axis=-1)
    names = [str(c) for c in class_names]
    n = len(names)
    for what, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or (y.size and (y.min() < 0 or y.max() >= n)):
            raise InputError(f"{what} must be 1-D integer labels in 0..{n - 1} (one per class name), "
                             f"got dtype {y.dtype}, shape {y.shape}.")
    if len(y_true) != len(y_pred) or not len(y_true):
        raise InputError(f"y_true has {len(y_true)} labels and y_pred {len(y_pred)}; they must match and not be empty.")
    counts = np.zeros((n, n), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    if ax is None:
        side = 1.5 + 0.45 * n
        _, ax = plt.subplots(figsize=(side + 1.0, side))
    image = ax.imshow(share, vmin=0.0, vmax=1.0, cmap="Blues")
    if n <= 30:
        for (i, j), count in np.ndenumerate(counts):
            if count:
                ax.text(j, i, str(count), ha="center", va="center", fontsize=8,
                        color="white" if share[i, j] > 0.5 else "black")
    ax.set_xticks(range(n), names, rotation=90 if max(map(len, names)) > 2 else 0)
    ax.set_yticks(range(n), names)
    accuracy = float(np.mean(y_true == y_pred))
    ax.set(xlabel="predicted", ylabel="true", title=f"Confusion (accuracy {100 * accuracy:.1f}%)")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the true class")
    return ax.figure


def plot_data_efficiency(results, *, ax=None, xlabel: str = "labelled examples per class",
                         title: str = "Accuracy against labelled examples", labels=None):
    """Accuracy against the number of labelled examples, one line per method, log x axis.

    Args:
        results: ``{method: {examples_per_class: accuracy or [accuracy per seed]}}``, accuracies
            in [0, 1]; with several seeds the bars span one standard deviation.
        ax: a matplotlib ``Axes`` to draw in (default: a new figure).
        xlabel: the x axis label.
        title: the plot title.
        labels: legend text per method (e.g. ``kzoo.compare.LABELS``); default the method names.

    Returns:
        The matplotlib ``Figure``.

    Raises:
        kzoo.InputError: ``results`` is empty, or has counts that are not whole numbers >= 1 or
            accuracies outside [0, 1].

    Example:
        >>> from kzoo import plots
        >>> fig = plots.plot_data_efficiency({"scratch": {1: 0.6, 5: 0.9}, "frozen": {1: 0.8, 5: 0.93}},
        ...                                  labels={"frozen": "option 1"})
    """
    import matplotlib.pyplot as plt

    if not isinstance(results, dict) or not results or not all(isinstance(r, dict) and r for r in results.values()):
        raise InputError("results must be a non-empty dict {method: {examples per class: accuracies}}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4))
    counts = set()
    for method, by_count in results.items():
        shots = sorted(by_count)
        if any(isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1 for k in shots):
            raise InputError(f"{method!r}: examples per class must be whole numbers >= 1, got {shots}.")
        accs = [np.atleast_1d(np.asarray(by_count[k], dtype=float)) for k in shots]
        if any(a.size == 0 or not np.all((a >= 0) & (a <= 1)) for a in accs):
            raise InputError(f"{method!r}: accuracies must be numbers in [0, 1] (not percentages).")
        ax.errorbar(shots, [100 * a.mean() for a in accs], yerr=[100 * a.std() for a in accs],
                    marker="o", capsize=3, label=str((labels or {}).get(method, method)))
        counts.update(int(k) for k in shots)
    ticks = sorted(counts)
    ax.set(xscale="log", xlabel=xlabel, ylabel="test accuracy (%)", title=title)
    ax.set_xticks(ticks, [str(k) for k in ticks])
    ax.minorticks_off()
    ax.legend()
    ax.grid(alpha=0.3)
    return ax.figure


def _kernel(layer_or_kernel) -> np.ndarray:
    kernel = getattr(layer_or_kernel, "kernel", layer_or_kernel)
    try:
        kernel = np.asarray(kernel, dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise InputError(f"expected a convolution layer or its kernel array, got {type(layer_or_kernel).__name__}.") from err
    if kernel.ndim != 4:
        raise InputError(f"a 2-D convolution kernel is (height, width, in channels, filters); got shape {kernel.shape}. "
                         "Pass a Conv2D layer (e.g. model.get_layer('stem_conv')).")
    return kernel


def plot_filters(layer_or_kernel, *, n: int | None = None, title: str | None = None):
    """Show the filters of a first convolution layer as small images.

    A filter over RGB input is shown in colour (each filter scaled to 0..1 on its own: what
    matters is its pattern, not its size); over one input channel, in a blue-white-red map
    centred on zero; over more channels, as the mean over them. Filters are shown largest first
    (by their norm), as dead or tiny filters say little.

    Args:
        layer_or_kernel: a ``Conv2D`` layer or its kernel (height, width, in channels, filters).
        n: how many filters to show (default all).
        title: the figure's title (default: the layer's name and the kernel's shape).

    Returns:
        The matplotlib ``Figure``.

    Raises:
        kzoo.InputError: not a 2-D convolution kernel, or a bad ``n``.

    Example:
        >>> from kzoo import plots
        >>> fig = plots.plot_filters(np.random.default_rng(0).normal(size=(3, 3, 3, 8)))
    """
    kernel = _kernel(layer_or_kernel)
    total = kernel.shape[-1]
    if n is None:
        n = total
    n = check_scalar(f"n (of the layer's {total} filters)", n, int, min_val=1, max_val=total)
    filters = np.moveaxis(kernel, -1, 0)  # (filters, h, w, in)
    order = np.argsort(-np.linalg.norm(filters.reshape(total, -1), axis=1), kind="stable")[:n]
    fig, axes = _grid(int(n), (0.9, 0.9))
    for ax, f in zip(axes, filters[order]):
        if f.shape[-1] == 3:
            low, high = f.min(), f.max()
            ax.imshow((f - low) / (high - low if high > low else 1.0), interpolation="nearest")
        else:
            f = f.mean(axis=-1)
            limit = float(np.abs(f).max()) or 1.0
            ax.imshow(f, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
    name = getattr(layer_or_kernel, "name", "kernel")
    fig.suptitle(title or f"{name}: {n} of {total} filters, {kernel.shape[0]}x{kernel.shape[1]}x{kernel.shape[2]}",
                 fontsize=10)
    fig.tight_layout()
    return fig


def plot_feature_maps(model, image, layer_names, *, n: int = 8):
    """Show what one input becomes at several layers: the most active channels of each.

    Each row is a layer (bottom to top as given), each panel one channel of its output for this
    input, the ``n`` channels with the highest mean activation, each with its own colour scale.

    Args:
        model: a functional Keras model that holds the layers at its top level (for a layer inside
            a nested model, pass that nested model and the input it receives).
        image: one input example, with or without a leading batch axis of 1.
        layer_names: names of layers whose outputs are (1, height, width, channels).
        n: channels shown per layer.

    Returns:
        The matplotlib ``Figure``.

    Raises:
        kzoo.InputError: an unknown layer name (close names suggested), a layer whose output is
            not an image-like map, more than one example, or a bad ``n``.

    Example:
        >>> import keras
        >>> from kzoo import plots
        >>> m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, name="conv")])
        >>> fig = plots.plot_feature_maps(m, np.ones((8, 8, 1)), ["conv"], n=4)
    """
    import keras
    import matplotlib.pyplot as plt

    whole_number("n", n)
    if isinstance(layer_names, str) or not layer_names:
        raise InputError(f"layer_names must be a non-empty list of layer names, got {layer_names!r}.")
    names = [layer.name for layer in model.layers]
    outputs = []
    for name in layer_names:
        if name not in names:
            raise InputError(f"{model.name} has no top-level layer {name!r}.{did_you_mean(name, names)} "
                             "For a layer inside a nested model, pass that model.")
        output = model.get_layer(name).output
        if len(output.shape) != 4:
            raise InputError(f"layer {name!r} outputs shape {output.shape}; feature maps need (batch, h, w, channels).")
        outputs.append(output)
    x = np.asarray(image)
    if x.ndim == len(model.inputs[0].shape) - 1:
        x = x[None]
    if len(x) != 1:
        raise InputError(f"pass one example (with or without a batch axis of 1), got {len(x)}.")
    maps = keras.Model(model.inputs, outputs).predict(x, verbose=0)
    maps = maps if isinstance(maps, (list, tuple)) else [maps]
    cols = min(int(n), max(m.shape[-1] for m in maps))
    fig, axes = plt.subplots(len(maps), cols, figsize=(1.5 * cols, 1.6 * len(maps)), squeeze=False)
    for row, name, fmap in zip(axes, layer_names, maps):
        fmap = fmap[0]
        top = np.argsort(-fmap.mean(axis=(0, 1)), kind="stable")[:cols]
        for ax, channel in zip(row, top):
            ax.imshow(fmap[..., channel], cmap="viridis")
        for ax in row:
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(f"{name}\n{fmap.shape[0]}x{fmap.shape[1]}x{fmap.shape[2]}", fontsize=8)
    fig.tight_layout()
    return fig
