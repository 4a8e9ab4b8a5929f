"""kzoo.datasets: the catalog, every loader offline from $KZOO_ASSETS, both return types, bad data."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import wave as wavelib

import numpy as np
import pytest

import kzoo
from kzoo import config
from kzoo import datasets
from kzoo.datasets.audio import prepare_wave, read_wav
from kzoo.errors import CorruptFileError, InputError, NotAvailableError, UnknownNameError
from needs import assets_or_skip


def _mirror(sub: str):
    """The mirror folder ``datasets/<sub>``, or skip the test when the assets are absent."""
    return assets_or_skip("datasets", sub)


@pytest.fixture(scope="module")
def ants_bees_train():
    _mirror("hymenoptera")
    return datasets.load("ants_bees", "train", as_numpy=True, shuffle=False)  # full decode at 224, once


@pytest.fixture
def no_network(monkeypatch, tmp_path):
    """No mirror, an empty cache and KZOO_OFFLINE=1: nothing but bundled or generated data loads."""
    monkeypatch.delenv(config.ASSETS_ENV, raising=False)
    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv(config.OFFLINE_ENV, "1")


def _write_wav(path, rate: int, samples: np.ndarray) -> None:
    with wavelib.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())


def _image_bytes(color, fmt: str = "JPEG", size=(20, 12)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


# --- the catalog ---------------------------------------------------------------------------------
def test_catalog_lists_every_required_data_set():
    names = {e.name for e in datasets.list_datasets()}
    assert {"ants_bees", "spoken_digits", "sst2", "digits", "glyphs", "tf_flowers", "cats_vs_dogs",
            "beans", "imdb_reviews", "speech_commands"} <= names
    assert [e.name for e in datasets.list_datasets("audio")] == ["speech_commands", "spoken_digits"]
    for entry in datasets.list_datasets():
        assert entry.modality in ("image", "audio", "text")
        assert entry.class_names and entry.splits and entry.license and entry.citation
        assert entry.loader is not None or entry.tfds_name is not None
    with pytest.raises(InputError):
        datasets.list_datasets("video")


def test_entries_are_frozen_and_resolvable_records():
    entry = datasets.info("spoken_digits")
    with pytest.raises(Exception):
        entry.name = "other"
    assert isinstance(entry, kzoo.hub.Record)
    assert entry.cache_group == "datasets" and entry.files == () and dict(entry.sha256) == {}
    assert entry.sources == ("assets:datasets/fsdd",
                             "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/v1.0.9.tar.gz"
                             "#sha256=8bc44cde129d505cbbb6b365c09f80c663f2aa77578afc634e6141a2f87100c0")
    ants = datasets.info("ants_bees")
    # no published checksum, so none is invented (kzoo's cache records one at first download)
    assert ants.sources == ("assets:datasets/hymenoptera",
                            "https://download.pytorch.org/tutorial/hymenoptera_data.zip")
    assert "872" in datasets.info("sst2").description  # says which split accuracy is reported on


def test_unknown_name_suggests_close_names():
    with pytest.raises(UnknownNameError, match="ants_bees"):
        datasets.info("ants_bess")
    with pytest.raises(UnknownNameError):
        datasets.load("no_such_data")


def test_tfds_class_names_match_tfds_metadata():
    tfds = pytest.importorskip("tensorflow_datasets")
    for entry in datasets.list_datasets():
        if entry.tfds_name:
            names = tfds.builder(entry.tfds_name).info.features[entry.tfds_keys[1]].names
            assert tuple(names) == entry.class_names, entry.name


# --- argument checks ------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, message", [
    ({"split": "validation"}, "splits"),
    ({"image_size": 32}, "image_size applies to image"),
    ({"duration": 1.0}, "duration applies to audio"),
    ({"batch_size": 0}, "batch_size"),
    ({"seed": -1}, "seed"),
    ({"shuffle": "yes"}, "shuffle"),
    ({"n_per_class": 3}, "takes no option n_per_class"),
])
def test_bad_arguments_are_clear_input_errors(kwargs, message):
    with pytest.raises(InputError, match=message):
        datasets.load("digits" if "duration" in kwargs or "n_per_class" in kwargs else "sst2", **kwargs)


def test_bad_image_size_and_path_for_bundled_data():
    with pytest.raises(InputError, match="image_size"):
        datasets.load("ants_bees", image_size=(0, 5))
    with pytest.raises(InputError, match="not resized"):
        datasets.load("digits", image_size=32, as_numpy=True)
    with pytest.raises(InputError, match="duration"):
        datasets.load("spoken_digits", duration=0)
    with pytest.raises(InputError, match="leave path out"):
        datasets.load("digits", path=".")


def test_nothing_local_and_offline_is_not_available(no_network):
    with pytest.raises(NotAvailableError, match="KZOO_OFFLINE"):
        datasets.load("ants_bees", as_numpy=True)


# --- ants_bees -------------------------------------------------------------------------------------
@pytest.mark.assets
def test_ants_bees_train_decodes_every_file_by_content(ants_bees_train):
    x, y = ants_bees_train
    assert x.shape == (245, 224, 224, 3) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 255.0 and x.max() > 200
    assert np.bincount(y).tolist() == [124, 121]  # the .gif and .jpeg files are in, not skipped
    assert y.dtype == np.int32


@pytest.mark.assets
def test_ants_bees_val_as_dataset():
    _mirror("hymenoptera")
    ds = datasets.load("ants_bees", "val", image_size=(24, 32), batch_size=50)
    assert ds.class_names == ["ants", "bees"]
    batches = list(ds.as_numpy_iterator())
    assert [len(b[1]) for b in batches] == [50, 50, 50, 3]
    x = np.concatenate([b[0] for b in batches])
    y = np.concatenate([b[1] for b in batches])
    assert x.shape == (153, 24, 32, 3) and x.dtype == np.float32
    assert y.tolist() == [0] * 70 + [1] * 83  # not shuffled: shuffle defaults to the train split only


@pytest.mark.assets
def test_numpy_path_needs_no_tensorflow(tmp_path):
    _mirror("fsdd")
    script = (
        "import sys\n"
        "from kzoo import datasets\n"
        "x, y = datasets.load('ants_bees', 'val', image_size=16, as_numpy=True)\n"
        "assert x.shape == (153, 16, 16, 3)\n"
        "x, y = datasets.load('spoken_digits', 'test', as_numpy=True)\n"
        "assert x.shape == (200, 16000)\n"
        "x, y = datasets.load('sst2', 'test', as_numpy=True)\n"
        "x, y = datasets.load('digits', as_numpy=True)\n"
        "assert 'tensorflow' not in sys.modules, 'TensorFlow was imported'\n"
    )
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


# --- spoken_digits ----------------------------------------------------------------------------------
@pytest.mark.assets
def test_spoken_digits_standard_split():
    _mirror("fsdd")
    x, y = datasets.load("spoken_digits", "test", as_numpy=True)
    assert x.shape == (200, 16000) and x.dtype == np.float32  # 4 speakers x 10 digits x indices 0-4
    assert -1.0 <= x.min() and x.max() <= 1.0 and np.abs(x).max() > 0.1
    assert np.bincount(y).tolist() == [20] * 10
    ds = datasets.load("spoken_digits", "train", batch_size=600, duration=0.5, sample_rate=8000)
    sizes = [(b[0].shape, len(b[1])) for b in ds.as_numpy_iterator()]
    assert sizes == [((600, 4000), 600)] * 3 and ds.class_names == [str(d) for d in range(10)]


@pytest.mark.assets
def test_spoken_digits_clip_is_the_file_resampled_and_padded():
    recordings = _mirror("fsdd") / "recordings"
    x, y = datasets.load("spoken_digits", "test", as_numpy=True, shuffle=False, sample_rate=8000,
                         duration=2.0)
    rate, wave = read_wav(recordings / "0_george_0.wav")  # the first file in name order
    assert rate == 8000 and y[0] == 0
    np.testing.assert_array_equal(x[0, :len(wave)], wave)  # same rate: samples untouched
    assert not x[0, len(wave):].any()  # padded with silence at the end
    x16, _ = datasets.load("spoken_digits", "test", as_numpy=True, shuffle=False, duration=2.0)
    np.testing.assert_allclose(x16[0, ::2][:len(wave)], wave, atol=0.05)  # 8 -> 16 kHz keeps the signal


@pytest.mark.assets
def test_spoken_digits_speaker_split_holds_out_whole_speakers():
    recordings = _mirror("fsdd") / "recordings"
    george = sorted(recordings.glob("*_george_*.wav"))
    assert len(george) == 500
    expected = {prepare_wave(read_wav(f)[1], 8000, 8000, 8000).tobytes() for f in george}
    opts = dict(as_numpy=True, split_by="speaker", test_speakers=("george",), sample_rate=8000)
    x_test, y_test = datasets.load("spoken_digits", "test", **opts)
    x_train, y_train = datasets.load("spoken_digits", "train", **opts)
    assert len(x_test) == 500 and len(x_train) == 1500
    assert {row.tobytes() for row in x_test} == expected
    assert not expected & {row.tobytes() for row in x_train}
    x_default, _ = datasets.load("spoken_digits", "test", as_numpy=True, split_by="speaker")
    assert len(x_default) == 500  # yweweler held out by default


@pytest.mark.assets
@pytest.mark.parametrize("kwargs, message", [
    ({"split_by": "speaker", "test_speakers": ("nobody",)}, "not in this copy"),
    ({"split_by": "speaker", "test_speakers": "george"}, "tuple of speaker names"),
    ({"test_speakers": ("george",)}, "only applies with split_by='speaker'"),
    ({"split_by": "digit"}, "split_by must be"),
    ({"split_by": "speaker", "test_speakers": ("george", "jackson", "lucas", "yweweler")}, "no speaker"),
])
def test_spoken_digits_bad_split_options(kwargs, message):
    _mirror("fsdd")
    with pytest.raises(InputError, match=message):
        datasets.load("spoken_digits", "test", as_numpy=True, **kwargs)


# --- sst2 -------------------------------------------------------------------------------------------
@pytest.mark.assets
def test_sst2_splits_are_labelled_strings():
    _mirror("sst2")
    sizes = {}
    for split in ("train", "dev", "test"):
        x, y = datasets.load("sst2", split, as_numpy=True, shuffle=False)
        assert x.dtype == object and all(isinstance(s, str) and s == s.strip() and s for s in x[:100])
        assert set(np.unique(y)) == {0, 1}
        sizes[split] = len(x)
    assert sizes == {"train": 60614, "dev": 6735, "test": 872}
    assert x[0] == "it 's a charming and often affecting journey ." and y[0] == 1
    ds = datasets.load("sst2", "test", batch_size=500)
    texts, labels = next(iter(ds))
    assert texts.dtype.name == "string" and texts.shape == (500,) and labels.dtype.name == "int32"
    assert ds.class_names == ["negative", "positive"]


# --- digits and glyphs -------------------------------------------------------------------------------
def test_digits_fixed_stratified_split():
    x_train, y_train = datasets.load("digits", "train", as_numpy=True, shuffle=False)
    x_test, y_test = datasets.load("digits", "test", as_numpy=True)
    assert x_train.shape == (1437, 8, 8, 1) and x_test.shape == (360, 8, 8, 1)
    assert x_train.dtype == np.float32 and x_train.min() == 0 and x_train.max() == 16
    assert np.bincount(y_test).min() >= 35 and np.bincount(y_test).max() <= 37
    again, _ = datasets.load("digits", "train", as_numpy=True, shuffle=False)
    np.testing.assert_array_equal(again, x_train)
    train_rows = {row.tobytes() for row in x_train}
    assert sum(row.tobytes() in train_rows for row in x_test) < 5  # (a few digits repeat exactly)


def test_glyphs_come_from_make_glyphs():
    from kzoo.datasets.glyphs import make_glyphs

    x, y = datasets.load("glyphs", "train", as_numpy=True, shuffle=False, n_per_class=2)
    expected_x, expected_y, names = make_glyphs(2, seed=0)
    np.testing.assert_array_equal(x, expected_x)
    np.testing.assert_array_equal(y, expected_y)
    assert tuple(names) == datasets.info("glyphs").class_names and x.shape == (104, 8, 8, 1)
    x_test, _ = datasets.load("glyphs", "test", as_numpy=True, n_per_class=2)
    assert not np.array_equal(np.sort(x_test, axis=0), np.sort(x, axis=0))


def test_shuffle_is_seeded_and_defaults_to_train_only():
    x0, y0 = datasets.load("digits", "train", as_numpy=True, shuffle=False)
    x1, y1 = datasets.load("digits", "train", as_numpy=True, seed=1)
    x1b, _ = datasets.load("digits", "train", as_numpy=True, seed=1)
    x2, _ = datasets.load("digits", "train", as_numpy=True, seed=2)
    np.testing.assert_array_equal(x1, x1b)
    assert not np.array_equal(x1, x0) and not np.array_equal(x1, x2)
    assert sorted(y1.tolist()) == sorted(y0.tolist())
    ds = datasets.load("digits", "train", batch_size=2000, seed=1)
    first, second = (next(iter(ds))[1].numpy() for _ in range(2))
    assert not np.array_equal(first, second)  # reshuffled every epoch
    assert ds.element_spec[0].shape.as_list() == [None, 8, 8, 1]


# --- bad data ----------------------------------------------------------------------------------------
def _image_tree(root, files):
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def test_image_folder_decodes_by_content(tmp_path):
    root = _image_tree(tmp_path, {
        "train/ants/a.jpg": _image_bytes((255, 0, 0)),
        "train/ants/really_a_png.jpg": _image_bytes((0, 255, 0), "PNG"),
        "train/ants/.DS_Store": b"not data",
        "train/bees/b.gif": _image_bytes((0, 0, 255), "GIF"),
    })
    x, y = datasets.load("ants_bees", "train", path=root, image_size=4, as_numpy=True, shuffle=False)
    assert y.tolist() == [0, 0, 1]
    np.testing.assert_allclose(x[:, 1, 1], [[254, 0, 0], [0, 255, 0], [0, 0, 255]], atol=2)


@pytest.mark.parametrize("files, error, message", [
    ({"val/ants/a.jpg": _image_bytes((1, 2, 3))}, InputError, "bees is missing"),
    ({"val/ants/a.jpg": _image_bytes((1, 2, 3)), "val/bees/.keep": b""}, InputError, "bees is empty"),
    ({"val/ants/a.jpg": b"this is text", "val/bees/b.jpg": _image_bytes((1, 2, 3))}, CorruptFileError,
     "a.jpg is not a readable image"),
    ({"val/ants/a.jpg": _image_bytes((1, 2, 3))[:200], "val/bees/b.jpg": _image_bytes((1, 2, 3))},
     CorruptFileError, "a.jpg is not a readable image"),
])
def test_image_folder_bad_data(tmp_path, files, error, message):
    root = _image_tree(tmp_path, files)
    with pytest.raises(error, match=message):
        datasets.load("ants_bees", "val", path=root, image_size=4, as_numpy=True)


def test_fsdd_bad_data(tmp_path):
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    tone = (8000 * np.sin(np.arange(4000) / 5.0)).astype(np.int16)
    _write_wav(recordings / "3_ann_0.wav", 8000, tone)
    _write_wav(recordings / "4_ann_7.wav", 8000, tone)
    x, y = datasets.load("spoken_digits", "train", path=tmp_path, as_numpy=True, sample_rate=8000)
    assert y.tolist() == [4] and x.shape == (1, 8000)
    np.testing.assert_allclose(x[0, :4000], tone / 32768.0, atol=1e-6)
    _write_wav(recordings / "5_ann_0.wav", 16000, tone)
    with pytest.raises(InputError, match=r"5_ann_0\.wav is sampled at 16000 Hz"):
        datasets.load("spoken_digits", "test", path=tmp_path, as_numpy=True)
    (recordings / "5_ann_0.wav").write_bytes(b"RIFF....garbage")
    with pytest.raises(CorruptFileError, match=r"5_ann_0\.wav is not a readable wav"):
        datasets.load("spoken_digits", "test", path=tmp_path, as_numpy=True)
    (recordings / "5_ann_0.wav").unlink()
    (recordings / "notes.txt").write_text("hello")
    with pytest.raises(InputError, match=r"notes\.txt does not belong"):
        datasets.load("spoken_digits", "test", path=tmp_path, as_numpy=True)


def test_tsv_bad_data(tmp_path):
    good = "sentence\tlabel\na fine film \t1\nawful\t0\n"
    (tmp_path / "dev.tsv").write_text(good)
    x, y = datasets.load("sst2", "dev", path=tmp_path, as_numpy=True)
    assert x.tolist() == ["a fine film", "awful"] and y.tolist() == [1, 0]
    (tmp_path / "dev.tsv").write_text(good + "no label here\n")
    with pytest.raises(InputError, match=r"dev\.tsv, line 4"):
        datasets.load("sst2", "dev", path=tmp_path, as_numpy=True)
    (tmp_path / "dev.tsv").write_text(good + "bad label\t7\n")
    with pytest.raises(InputError, match=r"line 4.*label 0\.\.1"):
        datasets.load("sst2", "dev", path=tmp_path, as_numpy=True)
    (tmp_path / "dev.tsv").write_text("text\tstars\nok\t1\n")
    with pytest.raises(InputError, match="header row"):
        datasets.load("sst2", "dev", path=tmp_path, as_numpy=True)
    with pytest.raises(InputError, match="no 'test.tsv'"):
        datasets.load("sst2", "test", path=tmp_path, as_numpy=True)


# --- TensorFlow Datasets, mocked ---------------------------------------------------------------------
@pytest.fixture
def mock_tfds():
    tfds = pytest.importorskip("tensorflow_datasets")
    with tfds.testing.mock_data(num_examples=6):
        yield


def test_tfds_images_are_resized_float_batches(mock_tfds):
    ds = datasets.load("tf_flowers", "train[:50%]", image_size=(20, 30), batch_size=4)
    assert ds.class_names == list(datasets.info("tf_flowers").class_names)
    x, y = next(iter(ds))
    assert x.shape[1:] == (20, 30, 3) and x.dtype.name == "float32" and y.dtype.name == "int32"
    assert 0.0 <= float(np.min(x)) and float(np.max(x)) <= 255.0
    x, y = datasets.load("beans", "test", as_numpy=True, image_size=8)
    assert x.shape == (6, 8, 8, 3) and set(y.tolist()) <= {0, 1, 2}
    with pytest.raises(InputError, match="tfds slice"):
        datasets.load("cats_vs_dogs", "test")


def test_tfds_audio_and_text(mock_tfds):
    x, y = datasets.load("speech_commands", "test", as_numpy=True, sample_rate=8000, duration=0.5)
    assert x.shape == (6, 4000) and x.dtype == np.float32 and np.abs(x).max() <= 1.0
    x, y = datasets.load("imdb_reviews", "train", as_numpy=True)
    assert x.dtype == object and all(isinstance(s, str) for s in x) and y.dtype == np.int32


def test_sst2_falls_back_to_tfds_without_files(no_network, mock_tfds):
    x, y = datasets.load("sst2", "test", as_numpy=True)
    assert len(x) == 6 and isinstance(x[0], str) and set(y.tolist()) <= {0, 1}


def test_tfds_failure_is_not_available(no_network):
    pytest.importorskip("tensorflow_datasets")
    with pytest.raises(NotAvailableError, match="beans"):
        datasets.load("beans", "test", path=os.devnull)
