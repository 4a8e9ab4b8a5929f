"""kzoo.plots.show_batch: image grids, log-mel grids (+ audio players in notebooks), text tables."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from kzoo import plots  # noqa: E402
from kzoo.errors import InputError  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _titles(fig) -> list[str]:
    return [ax.get_title() for ax in fig.axes if ax.get_title()]


def test_image_grid_titles_are_class_names():
    x = np.random.default_rng(0).uniform(0, 255, (5, 12, 12, 3)).astype(np.float32)
    fig = plots.show_batch((x, np.array([0, 1, 1, 0, 1])), ["ants", "bees"])
    assert isinstance(fig, matplotlib.figure.Figure)
    assert _titles(fig) == ["ants", "bees", "bees", "ants", "bees"]
    shown = fig.axes[0].images[0].get_array()
    np.testing.assert_allclose(shown, x[0] / 255.0, rtol=1e-6)  # 0..255 is shown as 0..1
    assert len(fig.axes) == 6 and not fig.axes[5].axison  # 3 x 2 grid, the spare cell blank


def test_grey_images_and_n_limit():
    x = np.random.default_rng(0).integers(0, 17, (30, 8, 8, 1)).astype(np.float32)
    fig = plots.show_batch((x, np.arange(30) % 10), n=4)
    assert _titles(fig) == ["0", "1", "2", "3"]
    assert fig.axes[0].images[0].get_array().shape == (8, 8)


def test_dataset_input_uses_its_class_names():
    tf = pytest.importorskip("tensorflow")
    x = np.zeros((10, 6, 6, 3), np.float32)
    ds = tf.data.Dataset.from_tensor_slices((x, np.arange(10, dtype=np.int32) % 2)).batch(3)
    ds.class_names = ["cat", "dog"]
    fig = plots.show_batch(ds, n=5)
    assert _titles(fig) == ["cat", "dog", "cat", "dog", "cat"]
    texts = tf.data.Dataset.from_tensor_slices((["good film", "bad film"], [1, 0]))  # unbatched
    fig = plots.show_batch(texts, ["neg", "pos"])
    cells = {c.get_text().get_text() for c in fig.axes[0].tables[0].get_celld().values()}
    assert {"good film", "bad film", "pos", "neg"} <= cells


def test_log_mel_peaks_at_the_tone():
    t = np.arange(16000) / 16000
    low = plots.log_mel(np.sin(2 * np.pi * 300 * t), 16000)
    high = plots.log_mel(np.sin(2 * np.pi * 3000 * t), 16000)
    assert low.shape == (64, 97) and low.dtype == np.float32
    assert low.mean(axis=1).argmax() < high.mean(axis=1).argmax()
    with pytest.raises(InputError):
        plots.log_mel(np.zeros((2, 100)), 16000)


def test_audio_grid_and_notebook_players(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(plots, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", shown.append)
    x = np.random.default_rng(0).uniform(-0.5, 0.5, (3, 8000)).astype(np.float32)
    fig = plots.show_batch((x, np.array([7, 8, 9])), sample_rate=8000)
    assert _titles(fig) == ["7", "8", "9"]
    assert fig.axes[0].images[0].get_array().shape[0] == 64  # mel bands
    assert [type(s).__name__ for s in shown] == ["Audio"] * 3
    assert int.from_bytes(shown[0].data[24:28], "little") == 8000  # the wav header's sample rate


def test_no_players_outside_notebooks(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    plots.show_batch((np.zeros((2, 4000), np.float32), np.array([0, 1])), modality="audio")
    assert shown == []


def test_text_table_wraps_long_sentences():
    x = np.asarray(["short", "word " * 60], dtype=object)
    fig = plots.show_batch((x, np.array([0, 1])), ["negative", "positive"])
    cells = fig.axes[0].tables[0].get_celld()
    assert cells[(1, 0)].get_text().get_text() == "negative"
    assert cells[(2, 1)].get_text().get_text().count("\n") >= 2
    assert cells[(2, 1)].get_height() > cells[(1, 1)].get_height()


@pytest.mark.parametrize("data, kwargs, message", [
    ((np.zeros((2, 4, 4, 3)), np.zeros(2)), {"n": 0}, "n == 0, must be an int >= 1"),
    ((np.zeros((2, 4, 4, 3)), np.zeros(2)), {"modality": "video"}, "modality"),
    ((np.zeros((2, 4, 4, 3)), np.zeros(3)), {}, "equally long"),
    (np.zeros((2, 4, 4, 3)), {}, r"\(x, y\) pair"),
    ((np.zeros((2, 4, 4, 3)), np.zeros(2)), {"modality": "audio"}, "waveforms"),
])
def test_bad_input(data, kwargs, message):
    with pytest.raises(InputError, match=message):
        plots.show_batch(data, **kwargs)
