"""Benchmark: does a pre-trained music tagger help to recognise spoken digits? (kzoo issue 3, item 9)

On the Free Spoken Digit Dataset (``kzoo.datasets.load("spoken_digits")``: 10 digits, 4 speakers in
the offline mirror), test accuracy at 1 / 5 / 20 / all labelled clips per class, on two splits:
``standard`` (recordings 0-4 of every digit and speaker are the test set: the speakers are known)
and ``speaker`` (all of yweweler's 500 clips are the test set: a voice never heard in training).

* ``scratch``: no pre-training. By default (``--scratch-model cnn``) a small CNN sized for a couple of
  thousand clips (four 3x3 convolution blocks, 61k weights) trained on the same log-mel spectrograms,
  cut to their first 1.5 s (the longest clip is 1.31 s; the rest is the padding); ``--scratch-model musicnn`` trains the musicnn architecture itself from random weights
  (every layer, BatchNorm too), which is the like-for-like baseline but needs a GPU (see below);
* ``option 1``: the pre-trained musicnn (MagnaTagATune) body frozen, a new 10-way head trained on
  its cached 200-number features;
* ``option 2``: option 1, then a second phase that unfreezes the top of the body (``unfreeze(top=
  "midend1_conv")``: the mid-end and back-end, 77% of the weights; the musically motivated
  convolutions of the front end stay as pre-trained) at a ten times smaller learning rate;
* ``image net``: the "wrong input type": ImageNet's EfficientNet-Lite0 (option 1) on the same clips
  as log-mel spectrogram images, with the same labelled clips;
* ``speech option 1`` / ``speech option 2``: Google's speech_embedding (pre-trained on speech for
  keyword spotting; ``kzoo.load("speech_embedding")``) on 1.5 s clips: a new head on the cached
  mean+max of its window embeddings, then option 2 unfreezes its top conv blocks (``unfreeze(top=
  "conv_15")``: the last five convolutions, 42% of its weights) at a ten times smaller learning rate.
  Its network is small, so it is also measured leave-one-speaker-out: each of the four speakers held
  out in turn (splits ``speaker:<name>``; ``speaker`` is yweweler), the mean over the four reported;
* ``speech ensemble``: speech option 1 as five heads from different initial weights, each tested on
  the clips played at five speeds (``kzoo.audio.SPEEDS``, 0.9-1.1: ``kzoo.audio.predict_speeds``),
  all the probabilities averaged (group ``speech_ensemble``; same splits and seeds as the speech rows).

``--groups musicnn speech`` picks what runs; a group not run keeps its results from the existing
``spoken_digits.json`` (with the date they were measured), so the cheap speech rows can be re-measured
without the 40 minutes the musicnn, image-net and scratch rows take.

Cost shapes the protocol. musicnn's front end (wide convolutions over 187 frames x 96 mel bands)
is about all of its compute: on a 2-core CPU it runs at roughly 10 clips/s. So the front end runs
once over every clip, and option 2's phase 2 trains the layers above it on the stored front-end
outputs (exactly what ``fine_tune(..., unfreeze_top="midend1_conv")`` computes, because the frozen
front end and the BatchNorm layers in inference mode give the same output every epoch). Scratch
models train on the stored log-mel spectrograms (the log-mel layer has no weights, so this is exact
too). Training musicnn from random weights cannot reuse anything above that: with its BatchNorm
layers in training mode over 187 x 59 x 204 feature maps it trains at about 2 clips/s on this CPU
(one epoch over the 1,800 training clips: 15 minutes), hence the small CNN by default and
``--scratch-model musicnn --scratch-shots ... --scratch-splits ...`` for a GPU.

    KZOO_ASSETS=../shared/assets KERAS_BACKEND=tensorflow python bench/spoken_digits.py
    KZOO_ASSETS=../shared/assets python bench/spoken_digits.py --groups speech
    KZOO_ASSETS=../shared/assets python bench/spoken_digits.py --groups speech_ensemble
    KZOO_ASSETS=../shared/assets python bench/spoken_digits.py --quick --out /tmp/sd   # smoke run
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import math
import time
from pathlib import Path

import keras
import numpy as np

import _record
import kzoo
from kzoo.audio import N_SAMPLES, SPEEDS, change_speed
from kzoo.audio.musicnn import SAMPLE_RATE
from kzoo.features import split_model

SPLITS = ("standard", "speaker")
SPEAKERS = ("george", "jackson", "lucas", "yweweler")  # "speaker" holds out yweweler
SPEAKER_SPLITS = ("speaker:george", "speaker:jackson", "speaker:lucas")
SHOTS = (1, 5, 20, "all")
METHODS = ("scratch", "option 1", "option 2", "image net", "speech option 1", "speech option 2", "speech ensemble")
GROUPS = {"musicnn": ("scratch", "option 1", "option 2", "image net"),
          "speech": ("speech option 1", "speech option 2"),
          "speech_ensemble": ("speech ensemble",)}
ENSEMBLE_HEADS = 5  # speech ensemble: option-1 heads from different initial weights
SPEECH = "speech_embedding"
SPEECH_SECONDS = 1.5  # longer than any FSDD clip (1.31 s)
SPEECH_TOP = "conv_15"  # speech option 2 unfreezes this convolution and everything above it
NAMES = [str(d) for d in range(10)]
TAGGER, IMAGE_NET = "musicnn_mtt", "efficientnet_lite0"
TOP_OF_BODY = "midend1_conv"  # option 2 unfreezes this layer and everything above it
IMAGE_SIZE = 224
SCRATCH_FRAMES = 96  # the small CNN's input: 1.5 s of log-mel frames, longer than any FSDD clip


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line flags (see ``--help``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cheap-seeds", type=int, default=5,
                        help="seeds for option 1 and the image net (cheap: heads on cached features)")
    parser.add_argument("--seeds", type=int, default=2,
                        help="seeds for option 2 and scratch at 1 and 5 shots (one seed at 20 and all)")
    parser.add_argument("--head-steps", type=int, default=1500, help="Adam steps for a new head (lr 1e-3)")
    parser.add_argument("--finetune-steps", type=int, default=100, help="option 2 phase-2 steps (lr 1e-4)")
    parser.add_argument("--scratch-model", choices=("cnn", "musicnn"), default="cnn",
                        help="what trains from random weights: a small CNN, or musicnn itself (GPU)")
    parser.add_argument("--scratch-steps", type=int, default=1500, help="scratch training steps (lr 1e-3)")
    parser.add_argument("--scratch-batch", type=int, default=32)
    parser.add_argument("--scratch-shots", nargs="*", default=[str(s) for s in SHOTS])
    parser.add_argument("--scratch-splits", nargs="*", default=list(SPLITS), choices=SPLITS)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--groups", nargs="+", default=list(GROUPS), choices=GROUPS,
                        help="what to measure: 'musicnn' (scratch, option 1/2, image net), 'speech' (speech "
                             "option 1/2), 'speech_ensemble' (five option-1 heads, test-time speeds); a group "
                             "not run keeps its results from the existing json")
    parser.add_argument("--speech-seeds", type=int, default=3, help="seeds for both speech options")
    parser.add_argument("--ensemble-shots", nargs="+", default=[str(s) for s in SHOTS],
                        help="labelled clips per digit measured by the speech_ensemble group")
    parser.add_argument("--ensemble-splits", nargs="+", default=["standard", "speaker", *SPEAKER_SPLITS],
                        choices=("standard", "speaker", *SPEAKER_SPLITS), help="splits of the speech_ensemble group")
    parser.add_argument("--speech-finetune-steps", type=int, default=100,
                        help="speech option 2 phase-2 steps (lr 1e-4)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 and 5 shots, 1 seed, 5 test clips per digit, tiny budgets")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    if min(args.cheap_seeds, args.seeds, args.head_steps, args.finetune_steps, args.scratch_steps,
           args.scratch_batch, args.speech_seeds, args.speech_finetune_steps) < 1:
        parser.error("seeds and step counts must be >= 1")
    args.scratch_shots = [s if s == "all" else int(s) for s in args.scratch_shots]
    args.ensemble_shots = [s if s == "all" else int(s) for s in args.ensemble_shots]
    if args.quick:
        args.cheap_seeds = args.seeds = args.speech_seeds = 1
        args.head_steps, args.finetune_steps, args.scratch_steps, args.speech_finetune_steps = 30, 5, 1, 5
        args.scratch_shots = [1]
    return args


def load_splits(quick: bool, duration: float = N_SAMPLES / SAMPLE_RATE,
                split_names: tuple[str, ...] = SPLITS) -> tuple[np.ndarray, np.ndarray, dict]:
    """Every clip once, and each split as indices into them.

    Args:
        quick: keep 5 test clips per digit.
        duration: clip length in seconds (default musicnn's 3 s patch; FSDD clips are padded with
            silence at the end).
        split_names: ``"standard"``, ``"speaker"`` (yweweler held out) or ``"speaker:<name>"``.

    Returns:
        ``(clips, labels, splits)``: (N, samples) waveforms at 16 kHz, (N,) digits, and
        ``{split: {"train": indices, "test": indices}}``. Every split partitions the same clips, and
        the clips come in file-name order whatever the duration, so indices agree across durations.
    """
    clips, labels, index, splits = [], [], {}, {}
    for name in split_names:
        split_by, _, speaker = name.partition(":")
        held_out = {"test_speakers": (speaker,)} if speaker else {}
        splits[name] = {}
        for part in ("train", "test"):
            x, y = kzoo.datasets.load("spoken_digits", part, as_numpy=True, shuffle=False,
                                      sample_rate=SAMPLE_RATE, duration=duration, split_by=split_by,
                                      **held_out)
            rows = []
            for wave, label in zip(x, y):
                key = hashlib.sha1(wave.tobytes()).digest()
                if key not in index:
                    index[key] = len(clips)
                    clips.append(wave)
                    labels.append(label)
                rows.append(index[key])
            splits[name][part] = np.asarray(rows)
    labels = np.asarray(labels, np.int32)
    if quick:
        for parts in splits.values():
            parts["test"], _ = kzoo.datasets.few_shot((parts["test"], labels[parts["test"]]), 5, seed=0)
    return np.stack(clips), labels, splits


def train_indices(train: np.ndarray, labels: np.ndarray, shots, seed: int) -> np.ndarray:
    """The labelled clips of one run: ``shots`` per digit (nested across shots for a seed), or all."""
    if shots == "all":
        return train
    return kzoo.datasets.few_shot((train, labels[train]), shots, seed=seed)[0]


def spectrogram_images(logmels: np.ndarray, size: int = IMAGE_SIZE) -> np.ndarray:
    """Log-mel spectrograms (N, frames, mels) as RGB images (N, size, size, 3), 0..255.

    Low frequencies at the bottom, time left to right, each clip scaled so its loudest cell is 255
    (grey, repeated over the three channels), resized as people resize spectrograms for ImageNet nets.
    """
    image = np.flip(np.transpose(logmels, (0, 2, 1)), axis=1)[..., None]
    image = 255.0 * image / np.maximum(image.max(axis=(1, 2, 3), keepdims=True), 1e-6)
    resized = keras.ops.convert_to_numpy(keras.ops.image.resize(image, (size, size)))
    return np.repeat(np.clip(resized, 0.0, 255.0), 3, axis=-1).astype(np.float32)


def _predict_labels(model, x) -> np.ndarray:
    return np.argmax(model.predict(x, batch_size=64, verbose=0), axis=-1)


def _fit(model, x, y, *, lr: float, steps: int, batch_size: int) -> None:
    """About ``steps`` Adam steps on (x, y); tiny sets are tiled so that Keras's per-epoch overhead
    does not dominate (at most about 10 epochs per fit)."""
    batch = min(batch_size, len(y))
    reps = max(1, steps * batch // (10 * len(y)))
    if reps > 1:
        x, y = np.concatenate([x] * reps), np.concatenate([y] * reps)
    model.compile(optimizer=keras.optimizers.Adam(lr),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, batch_size=batch, epochs=math.ceil(steps / math.ceil(len(y) / batch)), shuffle=True,
              verbose=0)


class Extracted:
    """The per-clip arrays every run reuses, computed once for the clips some run needs."""

    def __init__(self, clips: np.ndarray, needed: np.ndarray, batch_size: int):
        self.row = np.full(len(clips), -1)
        self.row[needed] = np.arange(len(needed))
        self.seconds = {}
        tagger = kzoo.load(TAGGER, class_names=NAMES)
        start = time.perf_counter()
        front = keras.Model(tagger.inputs, [tagger.get_layer("frontend").output, tagger.get_layer("logmel").output])
        fronts, logmels = [], []
        for i in range(0, len(needed), batch_size):
            f, m = front.predict_on_batch(clips[needed[i:i + batch_size]])
            fronts.append(np.asarray(f, np.float32))
            logmels.append(np.asarray(m, np.float32))
        self.front, self.logmel = np.concatenate(fronts), np.concatenate(logmels)
        self.seconds["musicnn front end"] = time.perf_counter() - start
        start = time.perf_counter()
        above = keras.Model(tagger.get_layer("frontend").output, split_model(tagger)[0].output)
        self.musicnn = np.asarray(above.predict(self.front, batch_size=batch_size, verbose=0), np.float32)
        self.seconds["musicnn rest of the body"] = time.perf_counter() - start
        start = time.perf_counter()
        self.image_model = kzoo.load(IMAGE_NET, class_names=NAMES)
        image_body = split_model(self.image_model)[0]
        self.image = np.concatenate([
            np.asarray(image_body.predict_on_batch(spectrogram_images(self.logmel[i:i + batch_size])), np.float32)
            for i in range(0, len(self.logmel), batch_size)])
        self.seconds["image net on spectrograms"] = time.perf_counter() - start

    def __call__(self, name: str, indices: np.ndarray) -> np.ndarray:
        return getattr(self, name)[self.row[indices]]


def run_transfer(data: Extracted, labels, train, test, seed: int, args, with_option2: bool) -> dict:
    """Option 1 (and option 2 continuing from it) for one set of labelled clips; test accuracies."""
    y_train, y_test = labels[train], labels[test]
    keras.utils.set_random_seed(seed)
    model = kzoo.load(TAGGER, class_names=NAMES)
    head_block = split_model(model)[1]
    _fit(head_block, data("musicnn", train), y_train, lr=1e-3, steps=args.head_steps, batch_size=args.batch_size)
    result = {"option 1": float(np.mean(_predict_labels(head_block, data("musicnn", test)) == y_test))}
    if with_option2:
        kzoo.unfreeze(model, top=TOP_OF_BODY)
        top = keras.Model(model.get_layer("frontend").output, model.output)
        _fit(top, data("front", train), y_train, lr=1e-4, steps=args.finetune_steps, batch_size=args.batch_size)
        result["option 2"] = float(np.mean(_predict_labels(top, data("front", test)) == y_test))
    return result


def run_image_net(data: Extracted, labels, train, test, seed: int, args) -> float:
    """EfficientNet-Lite0, option 1, on the clips' spectrogram images; test accuracy."""
    keras.utils.set_random_seed(seed)
    head_block = split_model(kzoo.swap_head(data.image_model, class_names=NAMES))[1]
    _fit(head_block, data("image", train), labels[train], lr=1e-3, steps=args.head_steps,
         batch_size=args.batch_size)
    return float(np.mean(_predict_labels(head_block, data("image", test)) == labels[test]))


def speech_top(model: keras.Model, window_shape: tuple, head: bool = False) -> keras.Model:
    """Window activations below ``SPEECH_TOP`` (clips, windows, ...) -> the rest of ``model``'s net
    on every window -> mean and max over the windows (as the model's ``WindowPooling``), and with
    ``head`` on through ``model``'s dropout and head: what ``fine_tune(..., unfreeze_top=SPEECH_TOP)``
    trains, on stored inputs (exact: the layers below are frozen and have no training-mode behaviour)."""
    net = model.get_layer("speech_embedding_net")
    top = keras.Model(net.get_layer(SPEECH_TOP).input, net.output)
    inputs = keras.Input(window_shape)
    per_window = keras.layers.TimeDistributed(top)(inputs)
    pooled = keras.layers.Concatenate()([keras.layers.GlobalAveragePooling1D()(per_window),
                                         keras.layers.GlobalMaxPooling1D()(per_window)])
    out = model.get_layer("head")(model.get_layer("head_dropout")(pooled)) if head else pooled
    return keras.Model(inputs, out)


class SpeechFeatures:
    """speech_embedding's per-clip arrays, computed once: the activations below ``SPEECH_TOP`` for
    every window (what option 2 trains on) and the pooled clip embeddings (option 1's features)."""

    def __init__(self, clips: np.ndarray, batch_size: int):
        start = time.perf_counter()
        model = kzoo.load(SPEECH, class_names=NAMES)
        net = model.get_layer("speech_embedding_net")
        below_top = net.get_layer(SPEECH_TOP).input
        windows = keras.Model(model.inputs, model.get_layer("windows").output)  # waveform -> windows
        lower = keras.Model(net.inputs, below_top)  # the bottom of the net, for each window
        acts = [np.asarray(lower.predict_on_batch(windows.predict_on_batch(clips[i:i + batch_size])), np.float32)
                for i in range(0, len(clips), batch_size)]
        self.lower = np.concatenate(acts).reshape(len(clips), -1, *below_top.shape[1:])
        self.pooled = np.asarray(speech_top(model, self.lower.shape[1:]).predict(
            self.lower, batch_size=batch_size, verbose=0), np.float32)
        self.seconds = time.perf_counter() - start
        direct = split_model(model)[0].predict(clips[:4], verbose=0)  # the cached path is the model
        np.testing.assert_allclose(self.pooled[:4], direct, rtol=1e-4, atol=1e-3)


def run_speech(data: SpeechFeatures, labels, train, test, seed: int, args) -> dict:
    """speech_embedding option 1, then option 2 from it, for one set of labelled clips."""
    y_train, y_test = labels[train], labels[test]
    keras.utils.set_random_seed(seed)
    model = kzoo.load(SPEECH, class_names=NAMES)
    head_block = split_model(model)[1]
    _fit(head_block, data.pooled[train], y_train, lr=1e-3, steps=args.head_steps, batch_size=args.batch_size)
    result = {"speech option 1": float(np.mean(_predict_labels(head_block, data.pooled[test]) == y_test))}
    kzoo.unfreeze(model, top=SPEECH_TOP)
    top = speech_top(model, data.lower.shape[1:], head=True)
    _fit(top, data.lower[train], y_train, lr=1e-4, steps=args.speech_finetune_steps, batch_size=args.batch_size)
    result["speech option 2"] = float(np.mean(_predict_labels(top, data.lower[test]) == y_test))
    return result


def head_probabilities(x_train, y_train, x_test, seed: int, steps: int) -> np.ndarray:
    """Test-set probabilities of one option-1 head (the classifier's head block: dropout 0.2, then a
    10-way ``ClassifierHead``) trained on cached features from initialisation ``seed``."""
    keras.utils.set_random_seed(seed)
    head = keras.Sequential([keras.Input(x_train.shape[1:]), keras.layers.Dropout(0.2),
                             kzoo.ClassifierHead(NAMES)])
    _fit(head, x_train, y_train, lr=1e-3, steps=steps, batch_size=32)
    return np.asarray(keras.ops.softmax(head.predict(x_test, batch_size=256, verbose=0)))


def measure_speech_ensemble(args, results: dict) -> dict:
    """speech option 1 as an ensemble with test-time speeds: ``ENSEMBLE_HEADS`` heads trained on the
    pooled embeddings of the clips as recorded, each tested on the clips played at every speed of
    ``kzoo.audio.SPEEDS``, all the probabilities averaged (what ``kzoo.audio.predict_speeds`` gives
    for the list of the five classifiers), on the standard split and each held-out speaker."""
    clips, labels, splits = load_splits(args.quick, SPEECH_SECONDS, tuple(args.ensemble_splits))
    body = split_model(kzoo.load(SPEECH, class_names=NAMES))[0]
    start = time.perf_counter()
    pooled = np.stack([np.asarray(body.predict(change_speed(clips, s), batch_size=args.batch_size, verbose=0),
                                  np.float32) for s in SPEEDS])  # (speeds, clips, 192)
    embedding_seconds = time.perf_counter() - start
    print(f"speech_embedding features of {len(clips)} clips at {len(SPEEDS)} speeds: {embedding_seconds:.0f} s",
          flush=True)
    start = time.perf_counter()
    recorded = pooled[SPEEDS.index(1.0)]
    for split, parts in splits.items():
        test = parts["test"]
        x_test = pooled[:, test].reshape(-1, pooled.shape[-1])
        for shots in ((1, 5) if args.quick else args.ensemble_shots):
            for seed in range(args.speech_seeds):
                train = train_indices(parts["train"], labels, shots, seed)
                probs = np.mean([head_probabilities(recorded[train], labels[train], x_test, 100 * seed + k,
                                                    args.head_steps).reshape(len(SPEEDS), len(test), -1)
                                 for k in range(ENSEMBLE_HEADS)], axis=(0, 1))
                _record_run(results, split, shots, seed,
                            {"speech ensemble": float(np.mean(probs.argmax(-1) == labels[test]))})
    return {"speech_embedding features at every speed": embedding_seconds,
            "training speech ensembles": time.perf_counter() - start}


def small_cnn(frames: int, mels: int, num_classes: int, widths=(16, 32, 64, 64)) -> keras.Model:
    """A log-mel classifier sized for a few thousand clips: 3x3 conv + BatchNorm + ReLU blocks,
    2x2 max pooling between them, global average pooling, dropout, a linear layer (logits)."""
    inputs = keras.Input((frames, mels), name="logmel")
    x = keras.layers.Reshape((frames, mels, 1))(inputs)
    x = keras.layers.BatchNormalization()(x)
    for i, width in enumerate(widths):
        if i:
            x = keras.layers.MaxPooling2D(2)(x)
        x = keras.layers.Conv2D(width, 3, padding="same", use_bias=False)(x)
        x = keras.layers.ReLU()(keras.layers.BatchNormalization()(x))
    x = keras.layers.Dropout(0.3)(keras.layers.GlobalAveragePooling2D()(x))
    return keras.Model(inputs, keras.layers.Dense(num_classes)(x), name="small_cnn")


def scratch_frames(args, data: Extracted) -> int:
    """Log-mel frames the scratch model reads: the small CNN's first SCRATCH_FRAMES, musicnn all of them."""
    return SCRATCH_FRAMES if args.scratch_model == "cnn" else data.logmel.shape[1]


def run_scratch(data: Extracted, labels, train, test, seed: int, args) -> float:
    """A network from random weights, every layer trained (BatchNorm too) on the log-mel spectrograms."""
    keras.utils.set_random_seed(seed)
    frames = scratch_frames(args, data)
    if args.scratch_model == "cnn":
        model = small_cnn(frames, data.logmel.shape[2], num_classes=len(NAMES))
    else:
        # kzoo.load(TAGGER, class_names=..., weights=None) keeps the 50-tag head; swap it here.
        tagger = kzoo.swap_head(kzoo.load(TAGGER, weights=None), class_names=NAMES)
        model = kzoo.unfreeze(keras.Model(tagger.get_layer("logmel").output, tagger.output), train_batchnorm=True)
    _fit(model, data("logmel", train)[:, :frames], labels[train], lr=1e-3, steps=args.scratch_steps,
         batch_size=args.scratch_batch)
    return float(np.mean(_predict_labels(model, data("logmel", test)[:, :frames]) == labels[test]))


def plan(args, labels, splits) -> list[dict]:
    """Every run: split, shots, seed, and which methods it measures."""
    shots_list = (1, 5) if args.quick else SHOTS
    runs = []
    for split in SPLITS:
        for shots in shots_list:
            few = shots in (1, 5)
            for seed in range(args.cheap_seeds if shots != "all" else min(2, args.cheap_seeds)):
                expensive = seed < (args.seeds if few else 1)
                methods = ["option 1", "image net"] + (["option 2"] if expensive else [])
                if expensive and shots in args.scratch_shots and split in args.scratch_splits:
                    methods.append("scratch")
                train = train_indices(splits[split]["train"], labels, shots, seed)
                runs.append({"split": split, "shots": shots, "seed": seed, "methods": methods, "train": train,
                             "test": splits[split]["test"]})
    return runs


def measure_musicnn(args, results: dict) -> dict:
    """The musicnn group on the standard and yweweler splits; adds to ``results``, returns seconds."""
    clips, labels, splits = load_splits(args.quick)
    runs = plan(args, labels, splits)
    needed = np.unique(np.concatenate([np.concatenate([r["train"], r["test"]]) for r in runs]))
    print(f"{len(clips)} clips, {len(needed)} needed; backend {keras.backend.backend()}", flush=True)
    data = Extracted(clips, needed, args.batch_size)
    print({k: round(v, 1) for k, v in data.seconds.items()}, flush=True)
    seconds = {"option 1 alone": 0.0, "option 1 then option 2": 0.0, "image net": 0.0, "scratch": 0.0}
    for run in runs:
        split, shots, seed, train, test = run["split"], run["shots"], run["seed"], run["train"], run["test"]
        t = time.perf_counter()
        transfer = run_transfer(data, labels, train, test, seed, args, "option 2" in run["methods"])
        seconds["option 1 then option 2" if "option 2" in transfer else "option 1 alone"] += time.perf_counter() - t
        t = time.perf_counter()
        transfer["image net"] = run_image_net(data, labels, train, test, seed, args)
        seconds["image net"] += time.perf_counter() - t
        if "scratch" in run["methods"]:
            t = time.perf_counter()
            transfer["scratch"] = run_scratch(data, labels, train, test, seed, args)
            seconds["scratch"] += time.perf_counter() - t
        _record_run(results, split, shots, seed, transfer)
    return {**data.seconds, **{f"training {k}": v for k, v in seconds.items()}}


def measure_speech(args, results: dict) -> dict:
    """The speech group on the standard split and each held-out speaker; adds to ``results``."""
    clips, labels, splits = load_splits(args.quick, SPEECH_SECONDS, ("standard", "speaker", *SPEAKER_SPLITS))
    data = SpeechFeatures(clips, args.batch_size)
    print(f"speech_embedding features of {len(clips)} clips: {data.seconds:.0f} s", flush=True)
    start = time.perf_counter()
    for split, parts in splits.items():
        for shots in ((1, 5) if args.quick else SHOTS):
            for seed in range(args.speech_seeds):
                train = train_indices(parts["train"], labels, shots, seed)
                _record_run(results, split, shots, seed, run_speech(data, labels, train, parts["test"], seed, args))
    return {"speech_embedding features": data.seconds, "training speech options": time.perf_counter() - start}


def split_sizes(quick: bool) -> dict:
    """``{"train_clips": {split: n}, "test_clips": {split: n}}`` for every split."""
    splits = load_splits(quick, 0.1, (*SPLITS, *SPEAKER_SPLITS))[2]
    return {f"{part}_clips": {split: int(len(parts[part])) for split, parts in splits.items()}
            for part in ("train", "test")}


def _record_run(results: dict, split: str, shots, seed: int, accuracies: dict) -> None:
    for method, accuracy in accuracies.items():
        results[split][method][str(shots)].append(accuracy)
    print(f"{split:16s} {str(shots):>3s}/class seed {seed}: "
          + ", ".join(f"{m} {100 * a:.1f}%" for m, a in accuracies.items()), flush=True)


MEASURE = {"musicnn": measure_musicnn, "speech": measure_speech, "speech_ensemble": measure_speech_ensemble}


def main(argv=None) -> dict:
    args = parse_args(argv)
    start = time.perf_counter()
    previous_file = args.out / "spoken_digits.json"
    previous = json.loads(previous_file.read_text()) if previous_file.is_file() else None
    today = datetime.date.today().isoformat()
    results = {split: {m: {str(s): [] for s in SHOTS} for m in METHODS} for split in (*SPLITS, *SPEAKER_SPLITS)}
    measured, seconds = {}, {}
    for group, methods in GROUPS.items():
        if group in args.groups:
            seconds.update(MEASURE[group](args, results))
            measured[group] = {"date": today, "backend": keras.backend.backend()}
        elif previous is not None:
            # A record without "measured" predates the speech group: all of it is the musicnn group.
            earlier = previous.get("measured", {"musicnn": {"date": previous["date"], "backend": previous["backend"]}})
            if group in earlier:
                for split, by_method in previous["results"].items():
                    for method in methods:
                        results[split][method] = by_method.get(method, results[split][method])
                measured[group] = earlier[group]
    total = time.perf_counter() - start
    record = {
        "benchmark": ("spoken digits (FSDD): scratch vs musicnn option 1 / option 2 vs an ImageNet CNN on "
                      "spectrograms vs speech_embedding option 1 / option 2"),
        "results": results,
        "measured": measured,
        **split_sizes(args.quick),
        "settings": {
            "tagger": TAGGER, "image_net": IMAGE_NET, "image_size": IMAGE_SIZE, "clip_samples": N_SAMPLES,
            "sample_rate": SAMPLE_RATE, "option2_unfreeze_top": TOP_OF_BODY, "batch_size": args.batch_size,
            "optimizer": "adam; batch = min(batch size, labelled clips); tiny sets tiled, <= ~10 epochs a fit",
            "head": {"lr": 1e-3, "steps": args.head_steps},
            "option2_phase2": {"lr": 1e-4, "steps": args.finetune_steps},
            "scratch": {"model": args.scratch_model, "frames": SCRATCH_FRAMES if args.scratch_model == "cnn" else None,
                        "lr": 1e-3, "steps": args.scratch_steps, "batch_size": args.scratch_batch,
                        "train_batchnorm": True,
                        "shots": [str(s) for s in args.scratch_shots], "splits": args.scratch_splits},
            "speech": {"model": SPEECH, "clip_seconds": SPEECH_SECONDS, "option2_unfreeze_top": SPEECH_TOP,
                       "option2_phase2": {"lr": 1e-4, "steps": args.speech_finetune_steps},
                       "seeds": args.speech_seeds,
                       "ensemble": {"heads": ENSEMBLE_HEADS, "test_time_speeds": list(SPEEDS),
                                    "shots": [str(s) for s in args.ensemble_shots], "splits": args.ensemble_splits}},
            "cheap_seeds": args.cheap_seeds, "seeds": args.seeds, "quick": args.quick,
        },
        "seconds": {"total": round(total, 1), **{k: round(v, 1) for k, v in seconds.items()}},
        **_record.environment(),
    }
    _record.write(record, args.out / "spoken_digits.json", markdown(record))
    plot(record, args.out / "spoken_digits.png")
    return record


def _cell(values: list[float]) -> str:
    return f"{_record.mean_std(values)} ({len(values)})" if values else "-"


def held_out_mean(record: dict, method: str, shots) -> list[float]:
    """Per seed, the mean accuracy over the four held-out speakers; [] unless all four were measured."""
    per_speaker = [record["results"][split][method][str(shots)] for split in ("speaker", *SPEAKER_SPLITS)]
    if not all(per_speaker) or len({len(v) for v in per_speaker}) != 1:
        return []
    return [float(v) for v in np.mean(per_speaker, axis=0)]


def markdown(record: dict) -> str:
    """The results as Markdown tables, one per split (the prose around them is written by hand)."""
    lines = [f"Written by `bench/spoken_digits.py` on {record['date']}: {record['machine']}; Keras "
             f"{record['keras']}, Python {record['python']}; {record['seconds']['total'] / 60:.1f} min for "
             "the groups measured in this run. Test accuracy %, mean ± std over seeds (number of seeds).", ""]
    for group, methods in GROUPS.items():
        when = record["measured"].get(group)
        lines.append(f"- {', '.join(methods)}: " + (f"measured {when['date']}, backend {when['backend']}"
                                                    if when else "not measured"))
    lines.append("")
    tables = [(split, title, lambda m, shots, split=split: record["results"][split][m][str(shots)])
              for split, title in (("standard", "standard split (known speakers)"),
                                   ("speaker", "held-out speaker (yweweler)"))]
    tables.append(("speaker", "held-out speaker, mean over the four speakers (leave-one-speaker-out)",
                   lambda m, shots: held_out_mean(record, m, shots)))
    for split, title, values in tables:
        lines += [f"### {title}: {record['train_clips'][split]} training clips, "
                  f"{record['test_clips'][split]} test clips", "",
                  "| labelled / class | " + " | ".join(METHODS) + " |", "|---" * (len(METHODS) + 1) + "|"]
        for shots in SHOTS:
            lines.append(f"| {shots} | " + " | ".join(_cell(values(m, shots)) for m in METHODS) + " |")
        lines.append("")
    speech = (*GROUPS["speech"], *GROUPS["speech_ensemble"])
    lines += ["### each held-out speaker, speech option 1 / speech option 2 / speech ensemble", "",
              "| held out | " + " | ".join(str(s) for s in SHOTS) + " |", "|---" * (len(SHOTS) + 1) + "|"]
    for split, speaker in zip(("speaker", *SPEAKER_SPLITS), ("yweweler", *(s.split(":")[1] for s in SPEAKER_SPLITS))):
        cells = [" / ".join(_cell(record["results"][split][m][str(shots)]).split(" (")[0] for m in speech)
                 for shots in SHOTS]
        lines.append(f"| {speaker} | " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)


def plot(record: dict, path: Path) -> None:
    """Accuracy against labelled clips per digit: known speakers, and held-out speakers."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    x = np.arange(len(SHOTS))
    for ax, title, values in (
            (axes[0], "standard split (known speakers)",
             lambda m, shots: record["results"]["standard"][m][str(shots)]),
            (axes[1], "held-out speaker (speech: mean of 4; others: yweweler)",
             lambda m, shots: held_out_mean(record, m, shots) or record["results"]["speaker"][m][str(shots)])):
        for method in METHODS:
            means = [100 * np.mean(values(method, s)) if values(method, s) else np.nan for s in SHOTS]
            ax.plot(x, means, "o-", label=method, lw=2.5 if method.startswith("speech") else 1.2)
        ax.axhline(10, color="grey", ls=":", lw=1)
        ax.set(title=title, xticks=x, xticklabels=[str(s) for s in SHOTS], xlabel="labelled clips per digit",
               ylim=(0, 100))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("test accuracy %")
    axes[1].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


if __name__ == "__main__":
    main()
