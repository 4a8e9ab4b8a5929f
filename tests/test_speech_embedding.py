"""speech_embedding: the Keras port against the reference runtime, the converter, the zoo entry, and the
clip classifier with every kzoo helper (this file also runs under JAX, see test_jax_backend.py)."""
import importlib.util
import warnings
from pathlib import Path

import keras
import numpy as np
import pytest

import kzoo
from kzoo.audio import (SpeechLogMel, build_classifier, build_embedding_net, convert_onnx,
                        load_embedding_net)
from kzoo.audio._speech_release import MODEL_FILES
from kzoo.audio.speech_embedding import LEAD_IN, MIN_SAMPLES
from kzoo.errors import CorruptFileError, InputError
from needs import assets_or_skip, package_or_skip

DIGITS = [str(d) for d in range(10)]


def _model_dir() -> Path:
    package_or_skip("openwakeword")
    spec = importlib.util.find_spec("openwakeword")
    return Path(spec.submodule_search_locations[0]) / "resources" / "models"


def _fsdd(names):
    from kzoo.datasets.audio import prepare_wave, read_wav

    folder = assets_or_skip("datasets", "fsdd", "recordings")
    waves = []
    for name in names:
        rate, wave = read_wav(folder / name)
        # 8 kHz -> 16 kHz, the whole clip and at least one window (the port pads shorter ones)
        waves.append(prepare_wave(wave, rate, 16000, max(2 * len(wave), MIN_SAMPLES)))
    return waves


def _tflite(file: Path, x: np.ndarray) -> np.ndarray:
    """Run one input through the reference TFLite model, resized to its shape."""
    tf = pytest.importorskip("tensorflow")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's deprecation notice
        interpreter = tf.lite.Interpreter(str(file))
    interpreter.resize_tensor_input(0, list(x.shape))
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x.astype(np.float32))
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


# --- the port against the reference runtime ----------------------------------------------------
@pytest.mark.parametrize("clip", ["0_george_0.wav", "3_jackson_12.wav", "7_lucas_33.wav", "9_yweweler_4.wav"])
def test_front_end_and_embeddings_match_the_reference_runtime(clip):
    """On real FSDD clips: log-mels within 2e-5 of melspectrogram.tflite (measured <= 3e-6 on values of
    magnitude ~12) and the 96 embedding values within 1e-5 relative of embedding_model.tflite
    (measured <= 5e-5 absolute on values up to ~60, 1e-6 relative)."""
    models = _model_dir()
    (wave,) = _fsdd([clip])
    reference = _tflite(models / "melspectrogram.tflite", wave[None] * 32768.0)[0, 0] / 10 + 2
    ours = keras.ops.convert_to_numpy(SpeechLogMel()(wave[None]))[0]
    assert ours.shape == reference.shape
    assert np.abs(ours - reference).max() < 2e-5

    window = reference[None, :76, :, None]
    expected = _tflite(models / "embedding_model.tflite", window).reshape(1, 96)
    got = keras.ops.convert_to_numpy(load_embedding_net()(window))
    assert np.abs(got - expected).max() / np.abs(expected).max() < 1e-5


def test_front_end_matrices_are_the_published_ones(tmp_path):
    """convert_onnx checks melspectrogram.onnx against the DFT and mel matrices this port computes:
    a file whose mel matrix differs is refused."""
    onnx = pytest.importorskip("onnx")
    from onnx import numpy_helper

    models = _model_dir()
    model = onnx.load(str(models / "melspectrogram.onnx"))
    for tensor in model.graph.initializer:
        if tensor.name == "1.melW":
            tensor.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(tensor) * 1.01, tensor.name))
    onnx.save(model, str(tmp_path / "melspectrogram.onnx"))
    (tmp_path / "embedding_model.onnx").symlink_to(models / "embedding_model.onnx")
    with pytest.raises(CorruptFileError, match="1.melW"):
        convert_onnx(tmp_path, tmp_path / "x.weights.h5")


def test_converter_refuses_bad_arguments_and_damaged_files(tmp_path):
    models = _model_dir()
    with pytest.raises(InputError, match=".weights.h5"):
        convert_onnx(models, tmp_path / "x.h5")
    with pytest.raises(InputError, match="lacks"):
        convert_onnx(tmp_path, tmp_path / "x.weights.h5")
    for name in MODEL_FILES:
        (tmp_path / name).write_bytes((models / name).read_bytes()[:5000])  # truncated
    with pytest.raises(CorruptFileError, match="melspectrogram.onnx"):
        convert_onnx(tmp_path, tmp_path / "x.weights.h5")
    assert not (tmp_path / "x.weights.h5").exists()


def test_conversion_is_cached_and_reused():
    from kzoo.config import cache_dir

    _model_dir()
    net = load_embedding_net()
    cached = cache_dir() / "models" / "speech_embedding" / "embedding_net.weights.h5"
    assert cached.is_file()
    again = load_embedding_net(cached)
    for a, b in zip(net.weights, again.weights):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))
    with pytest.raises(InputError, match="not a Keras .weights.h5"):
        load_embedding_net(next(_model_dir().glob("*.onnx")))


# --- zoo entry ---------------------------------------------------------------------------------
def test_zoo_entry_is_listed_offline():
    _model_dir()
    entry = kzoo.info("speech_embedding")
    assert (entry.modality, entry.license) == ("audio", "Apache-2.0")
    assert "ICASSP 2020" in entry.description and "google/speech_embedding/1" in entry.description
    assert "package:openwakeword/resources/models" in entry.sources
    assert all("#sha256=" in s for s in entry.sources if s.startswith("https://"))
    assert "speech_embedding" in [e.name for e in kzoo.list_models(modality="audio", offline_only=True)]


def test_load_without_classes_says_what_to_pass():
    with pytest.raises(InputError, match="class_names"):
        kzoo.load("speech_embedding")


# --- the classifier ----------------------------------------------------------------------------
def test_shapes_padding_and_odd_input():
    model = build_classifier(["a", "b"])
    assert model.count_params() == build_embedding_net().count_params() + 192 * 2 + 2
    short = np.full((2, 3000), 0.1, "float32")  # with the lead-in, shorter than one window: padded
    padded = np.pad(short, ((0, 0), (0, MIN_SAMPLES - LEAD_IN - 3000)))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(short)),
                               keras.ops.convert_to_numpy(model(padded)), rtol=1e-5, atol=1e-5)
    assert model(np.zeros((1, 40000), "float32")).shape == (1, 2)  # silence: defined, finite
    assert np.isfinite(keras.ops.convert_to_numpy(model(np.zeros((1, 40000), "float32")))).all()
    rng = np.random.default_rng(0)
    noisy = rng.normal(0, 0.1, (1, 20000)).astype("float32")
    with_nan = noisy.copy()
    with_nan[0, 1234] = np.nan
    cleaned = noisy.copy()
    cleaned[0, 1234] = 0.0
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(with_nan)),
                               keras.ops.convert_to_numpy(model(cleaned)), rtol=1e-5, atol=1e-5)
    with pytest.raises(InputError, match="mono"):
        SpeechLogMel()(np.zeros((1, 16000, 2), "float32"))
    with pytest.raises(InputError, match="class_names"):
        build_classifier([])


def _toy_clips(n_per_class=4, seed=0):
    """Two learnable "words": a low and a high tone with noise, of random length."""
    rng = np.random.default_rng(seed)
    x, y = [], []
    t = np.arange(16000) / 16000
    for label, freq in enumerate((300.0, 1800.0)):
        for _ in range(n_per_class):
            tone = np.sin(2 * np.pi * freq * t + rng.uniform(0, 6)) * np.hanning(16000) * 0.3
            x.append((tone + rng.normal(0, 0.01, 16000)).astype("float32"))
            y.append(label)
    return np.stack(x), np.array(y, "int32")


def test_every_kzoo_helper_works_unchanged():
    _model_dir()
    x, y = _toy_clips()
    model = kzoo.load("speech_embedding", class_names=["low", "high"])
    assert not any(w.trainable for w in model.get_layer("speech_embedding_net").weights)
    features = kzoo.extract_features(model, x)
    assert features.shape == (8, 192)
    kzoo.fine_tune(model, (x, y), head_epochs=5, lr=1e-2, cache_features=True, verbose=0)  # option 1
    net = model.get_layer("speech_embedding_net")
    body = [keras.ops.convert_to_numpy(w) for w in net.get_layer("conv_0").weights]
    top_before = keras.ops.convert_to_numpy(net.get_layer("conv_19").kernel)
    kzoo.fine_tune(model, (x, y), head_epochs=0, epochs=2, finetune_lr=1e-4, unfreeze_top="conv_16",
                   verbose=0)  # option 2, top conv blocks only
    assert not np.array_equal(top_before, keras.ops.convert_to_numpy(net.get_layer("conv_19").kernel))
    for before, w in zip(body, net.get_layer("conv_0").weights):
        np.testing.assert_array_equal(before, keras.ops.convert_to_numpy(w))
    predictions = kzoo.predict(model, x, top=1)
    assert [p[0][0] for p in predictions] == ["low"] * 4 + ["high"] * 4
    kzoo.freeze(model)
    assert not any(w.trainable for w in model.get_layer("speech_embedding_net").weights)
    kzoo.unfreeze(model, top=2)
    assert [l.name for l in kzoo.leaf_layers(model) if l.trainable and l.weights] == ["conv_18", "conv_19", "head"]
    with pytest.warns(UserWarning, match="uncompiled"):
        bigger = kzoo.add_classes(model, ["hiss"])
    assert kzoo.class_names(bigger) == ["low", "high", "hiss"]
    assert bigger.predict(x, verbose=0).shape == (8, 3)
