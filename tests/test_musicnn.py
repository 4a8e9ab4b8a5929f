"""musicnn taggers: architecture, checkpoint conversion, and numerical agreement with the original
TensorFlow 1 graphs shipped in the ``musicnn`` package (imported from their ``.meta`` files)."""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import scipy.signal

import kzoo
from kzoo.audio import (N_SAMPLES, TAG_NAMES, VARIANTS, ZOO_ENTRIES, build_tagger, convert_checkpoint,
                        load_tagger)
from kzoo.audio import convert as convert_module
from kzoo.audio import musicnn_zoo
from kzoo.audio.musicnn import CHECKPOINT_SHA256, UPSTREAM_DIRS
from kzoo.errors import CorruptFileError, InputError, NotAvailableError, UnknownNameError
from kzoo.layers import ClassifierHead
from needs import ENABLE

SR = 16000
_SPEC = importlib.util.find_spec("musicnn")
PACKAGE_DIR = Path(_SPEC.submodule_search_locations[0]) if _SPEC else None
requires_musicnn = pytest.mark.skipif(PACKAGE_DIR is None, reason=f"the musicnn package is not installed; {ENABLE}")


@pytest.fixture(scope="module")
def kzoo_cache(tmp_path_factory):
    """A private kzoo cache for this module, so conversions happen once here and nowhere else."""
    with pytest.MonkeyPatch.context() as mp:
        path = tmp_path_factory.mktemp("kzoo_cache")
        mp.setenv("KZOO_CACHE", str(path))
        yield path


def _checkpoint(variant: str) -> Path:
    return PACKAGE_DIR / UPSTREAM_DIRS[variant]


# --- music-like test signals (deterministic) -----------------------------------------------------
def _pluck(freq: float, seconds: float, rng) -> np.ndarray:
    """Karplus-Strong plucked string: a noise burst through a damped, averaging delay line."""
    delay = int(SR / freq)
    feedback = np.zeros(delay + 1)
    feedback[0], feedback[delay - 1], feedback[delay] = 1.0, -0.498, -0.498
    burst = np.zeros(int(seconds * SR))
    burst[:delay] = rng.uniform(-1, 1, delay)
    return scipy.signal.lfilter([1.0], feedback, burst)


def _guitar(rng) -> np.ndarray:
    notes = (82.4, 110.0, 146.8, 196.0, 246.9, 329.6, 246.9, 196.0, 146.8, 110.0, 196.0, 246.9)
    out, step = np.zeros(N_SAMPLES), N_SAMPLES // len(notes)
    for k, freq in enumerate(notes):
        tone = _pluck(freq, 1.0, rng)[:N_SAMPLES - k * step]
        out[k * step:k * step + len(tone)] += tone
    return out


def _piano() -> np.ndarray:
    t = np.arange(N_SAMPLES) / SR
    out, notes = np.zeros(N_SAMPLES), (261.6, 329.6, 392.0, 523.3, 392.0, 329.6)
    step = N_SAMPLES // len(notes)
    for k, freq in enumerate(notes):
        tt = t[:N_SAMPLES - k * step]
        partials = sum(0.6 ** h * np.sin(2 * np.pi * freq * (h + 1) * tt) for h in range(8))
        out[k * step:] += partials * np.exp(-3 * tt) * (1 - np.exp(-400 * tt))
    return out


def _drums(rng) -> np.ndarray:
    out, beat = np.zeros(N_SAMPLES), SR // 4
    for k, start in enumerate(range(0, N_SAMPLES, beat)):
        tt = np.arange(min(4000, N_SAMPLES - start)) / SR
        if k % 2 == 0:  # kick: a falling sine sweep
            hit = np.sin(2 * np.pi * (50 + 100 * np.exp(-30 * tt)) * tt) * np.exp(-15 * tt)
        else:  # snare: a noise burst
            hit = 0.6 * rng.standard_normal(len(tt)) * np.exp(-25 * tt)
        hit[:800] += 0.2 * rng.standard_normal(min(800, len(tt))) * np.exp(-80 * tt[:800])  # hi-hat
        out[start:start + len(tt)] += hit
    return out


@pytest.fixture(scope="module")
def music() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    clips = {"guitar": _guitar(rng), "piano": _piano(), "drums": _drums(rng)}
    return {name: (0.5 * x / np.abs(x).max()).astype("float32") for name, x in clips.items()}


def _probabilities(model: keras.Model, inputs: np.ndarray) -> np.ndarray:
    """sigmoid(logits), through one compiled call (eager JAX would compile op by op)."""
    return keras.ops.convert_to_numpy(keras.ops.sigmoid(model.predict_on_batch(inputs)))


# --- the original graph ---------------------------------------------------------------------------
def _tf1_probabilities(checkpoint: Path, logmels: np.ndarray) -> np.ndarray:
    """Run the original TF1 graph: its .meta pruned to what ``model/Sigmoid`` and the saver's restore
    op need (the gradient/optimizer nodes do not import in TF 2), variables restored by its Saver."""
    import tensorflow as tf
    from tensorflow.core.protobuf import meta_graph_pb2

    meta = meta_graph_pb2.MetaGraphDef()
    meta.ParseFromString((checkpoint / ".meta").read_bytes())
    pruned = tf.compat.v1.graph_util.extract_sub_graph(meta.graph_def, ["model/Sigmoid", "save/restore_all"])
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(pruned, name="")
        with tf.compat.v1.Session(graph=graph) as session:
            session.run("save/restore_all", {"save/Const:0": f"{checkpoint}{os.sep}"})
            # model/Placeholder: log-mel patches; model/Placeholder_2: is_training
            return session.run("model/Sigmoid:0", {"model/Placeholder:0": logmels,
                                                   "model/Placeholder_2:0": False})


# --- tests that need no checkpoint ----------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_architecture_and_zoo_entry(variant):
    model = build_tagger(variant)
    entry = next(e for e in ZOO_ENTRIES if e.name == variant)
    assert model.input_shape == (None, N_SAMPLES) and model.output_shape == (None, 50)
    assert model.get_layer("logmel").output.shape == (None, 187, 96)
    head = model.get_layer("head")
    assert isinstance(head, ClassifierHead) and head.activation is keras.activations.linear
    assert head.class_names == list(TAG_NAMES[variant]) and len(set(head.class_names)) == 50
    assert all(isinstance(model.get_layer(n), keras.layers.BatchNormalization)
               for n in ("input_bn", "penultimate_bn" if "musicnn" in variant else "bn5"))
    assert entry.params == model.count_params()
    assert (entry.modality, entry.family, entry.builder) == ("audio", "kzoo", musicnn_zoo.build)
    assert kzoo.info(variant) is entry  # registered by its family module
    assert entry.num_classes == 50 and entry.license == "ISC"
    assert entry.labels == variant.split("_")[1] and entry.input_shape == (N_SAMPLES,)
    assert entry.sources[:2] == (f"assets:models/{variant}", f"package:musicnn/{UPSTREAM_DIRS[variant]}")
    upstream = "https://raw.githubusercontent.com/jordipons/musicnn/"
    assert len(entry.sources) == 4 and all(s.startswith(upstream) for s in entry.sources[2:])


def test_saved_tagger_loads_back_with_its_tags(tmp_path):
    model = build_tagger("vgg_msd")
    model.save(tmp_path / "tagger.keras")
    again = keras.saving.load_model(tmp_path / "tagger.keras")
    assert again.get_layer("head").class_names == list(TAG_NAMES["vgg_msd"])
    clip = np.random.default_rng(2).uniform(-0.5, 0.5, (1, N_SAMPLES)).astype("float32")
    np.testing.assert_allclose(again.predict_on_batch(clip), model.predict_on_batch(clip), atol=1e-6)


def test_tag_lists_differ_between_data_sets():
    assert TAG_NAMES["musicnn_mtt"][:3] == ("guitar", "classical", "slow")
    assert TAG_NAMES["musicnn_msd"][:3] == ("rock", "pop", "alternative")


def test_bad_arguments_raise_kzoo_errors(tmp_path):
    with pytest.raises(UnknownNameError, match="musicnn_mtt"):
        build_tagger("musicnn")
    with pytest.raises(InputError, match=".weights.h5"):
        convert_checkpoint("vgg_mtt", tmp_path, tmp_path / "model.h5")
    with pytest.raises(InputError, match="missing"):
        convert_checkpoint("vgg_mtt", tmp_path, tmp_path / "model.weights.h5")
    with pytest.raises(InputError, match="no such"):
        load_tagger("vgg_mtt", tmp_path / "nowhere")


def test_not_available_names_the_fixes(monkeypatch, tmp_path):
    monkeypatch.setenv("KZOO_CACHE", str(tmp_path))
    monkeypatch.setattr(convert_module, "_find_checkpoint", lambda variant: None)
    with pytest.raises(NotAvailableError, match="pip install --no-deps musicnn"):
        load_tagger("vgg_msd")


# --- tests on the real checkpoints ----------------------------------------------------------------
@pytest.mark.assets
@requires_musicnn
@pytest.mark.usefixtures("kzoo_cache")
@pytest.mark.parametrize("variant", VARIANTS)
def test_matches_the_original_tf1_graph(variant, music):
    tagger = load_tagger(variant)
    logmels = keras.ops.convert_to_numpy(tagger.get_layer("logmel")(np.stack(list(music.values()))))
    noise = np.random.default_rng(1).uniform(0, 3, (1, 187, 96)).astype("float32")
    logmels = np.concatenate([logmels, noise])
    ours = _probabilities(keras.Model(tagger.get_layer("logmel").output, tagger.output), logmels)
    original = _tf1_probabilities(_checkpoint(variant), logmels)
    assert ours.shape == original.shape == (4, 50)
    assert np.abs(ours - original).max() < 1e-4
    assert original.std() > 0.01  # the comparison is not between two constant outputs


@pytest.mark.assets
@requires_musicnn
def test_sensible_tags_on_synthesised_music(kzoo_cache, music):
    clips = np.stack(list(music.values()))
    for variant in VARIANTS:
        tagger = load_tagger(variant)
        probs = dict(zip(music, _probabilities(tagger, clips)))
        names = tagger.get_layer("head").class_names
        top = {clip: [names[i] for i in np.argsort(row)[::-1][:3]] for clip, row in probs.items()}
        print(variant, top)
        if variant.endswith("mtt"):
            assert "guitar" in top["guitar"][:2] and top["piano"][0] == "piano", top
            assert {"drums", "beat", "beats", "techno"} & set(top["drums"][:2]), top
            for tag in ("guitar", "piano"):  # the tag rates its own clip above the other two
                i = names.index(tag)
                assert probs[tag][i] > max(row[i] for clip, row in probs.items() if clip != tag)
        else:
            assert {"jazz", "instrumental", "ambient", "acoustic", "easy listening"} & set(top["piano"]), top
            assert {"electronic", "dance", "House", "electro", "Hip-Hop"} & set(top["drums"]), top


_OTHER_BACKEND_SCRIPT = """
import sys, numpy as np, keras
from kzoo.audio import load_tagger
clips = np.load(sys.argv[1])
out = {v: keras.ops.convert_to_numpy(keras.ops.sigmoid(load_tagger(v).predict_on_batch(clips)))
       for v in sys.argv[3:]}
np.savez(sys.argv[2], **out)
"""


@pytest.mark.slow  # a second Python process; JAX compiles every weight initializer on first build
@pytest.mark.assets
@requires_musicnn
def test_other_backend_gives_the_same_tags(kzoo_cache, music, tmp_path):
    """TF and JAX run the same converted weights to the same probabilities (from the shared cache)."""
    other = "jax" if keras.backend.backend() == "tensorflow" else "tensorflow"
    pytest.importorskip(other)
    clips = np.stack(list(music.values()))
    np.save(tmp_path / "clips.npy", clips)
    variants = ("musicnn_mtt", "vgg_msd")
    env = {**os.environ, "KERAS_BACKEND": other, "KZOO_CACHE": str(kzoo_cache)}
    subprocess.run([sys.executable, "-c", _OTHER_BACKEND_SCRIPT, str(tmp_path / "clips.npy"),
                    str(tmp_path / "out.npz"), *variants], env=env, check=True, timeout=300)
    theirs = np.load(tmp_path / "out.npz")
    for variant in variants:
        ours = _probabilities(load_tagger(variant), clips)
        assert np.abs(ours - theirs[variant]).max() < 1e-4, variant


@pytest.mark.assets
@requires_musicnn
def test_converts_once_then_loads_from_the_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("KZOO_CACHE", str(tmp_path))
    first = load_tagger("vgg_mtt")
    cached = tmp_path / "models" / "vgg_mtt" / "model.weights.h5"
    assert cached.is_file() and not list(cached.parent.glob(".*tmp*"))

    def no_second_conversion(*args):
        raise AssertionError("converted again")

    monkeypatch.setattr(convert_module, "convert_checkpoint", no_second_conversion)
    again = load_tagger("vgg_mtt")
    also = load_tagger("vgg_mtt", _checkpoint("vgg_mtt"))  # the published checkpoint shares the cache
    for model in (again, also):
        for a, b in zip(first.weights, model.weights):
            np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))


@pytest.mark.assets
@requires_musicnn
def test_package_files_are_the_catalogued_ones():
    import hashlib

    for variant, files in CHECKPOINT_SHA256.items():
        for name, digest in files.items():
            assert hashlib.sha256((_checkpoint(variant) / name).read_bytes()).hexdigest() == digest


@pytest.mark.assets
@requires_musicnn
@pytest.mark.parametrize("damage", ["truncated data", "flipped byte", "truncated index"])
def test_damaged_checkpoint_is_named(tmp_path, damage):
    folder = tmp_path / "MTT_vgg"
    shutil.copytree(_checkpoint("vgg_mtt"), folder)
    victim = folder / (".index" if damage == "truncated index" else ".data-00000-of-00001")
    raw = bytearray(victim.read_bytes())
    if damage == "flipped byte":
        raw[5000] ^= 0xFF
    else:
        raw = raw[:len(raw) // 3]
    victim.write_bytes(bytes(raw))
    out = tmp_path / "out" / "model.weights.h5"
    with pytest.raises(CorruptFileError, match=re.escape(str(victim))):
        convert_checkpoint("vgg_mtt", folder, out)
    assert not out.exists() and not (out.parent.exists() and any(out.parent.iterdir()))


@pytest.mark.assets
@requires_musicnn
def test_wrong_variant_checkpoint_names_the_variable(tmp_path):
    with pytest.raises(CorruptFileError, match="1CNN/kernel"):
        convert_checkpoint("vgg_mtt", _checkpoint("musicnn_mtt"), tmp_path / "x.weights.h5")
    with pytest.raises(CorruptFileError, match="conv2d/kernel"):
        convert_checkpoint("musicnn_mtt", _checkpoint("vgg_mtt"), tmp_path / "x.weights.h5")


def test_scratch_tagger_with_class_names_gets_a_new_head():
    model = kzoo.load("musicnn_mtt", class_names=list("abc"), weights=None)
    assert model.output_shape == (None, 3) and kzoo.class_names(model) == ["a", "b", "c"]
