"""Shared steps of the zoo's builders: raw input -> preprocessing -> body -> dropout -> named head.

Builders import this module when they run (it imports Keras); the registry and the family modules
do not.
"""
from __future__ import annotations

import json
from pathlib import Path

import keras

from kzoo.errors import CorruptFileError, InputError, KzooError, ModelBuildError
from kzoo._graph import head_input
from kzoo.heads import find_head, swap_head
from kzoo.heads import class_names as class_names_of
from kzoo.layers import ClassifierHead

DEFAULT_DROPOUT = 0.2


def imagenet_names() -> list[str]:
    """The 1000 ImageNet class names, in label order."""
    from keras_hub.src.utils.imagenet.imagenet_utils import IMAGENET_NAMES

    return [IMAGENET_NAMES[i][1] for i in range(1000)]


def assemble(entry, preprocess, body, shape, names, dropout, head_weights=None) -> keras.Model:
    """Input (raw) -> preprocessing -> body (inference mode) -> dropout -> ``ClassifierHead``."""
    inputs = keras.Input(shape, name="inputs")
    x = body(preprocess(inputs) if preprocess is not None else inputs, training=False)
    if dropout:
        x = keras.layers.Dropout(dropout, name="head_dropout")(x)
    head = ClassifierHead(names, name="head")
    model = keras.Model(inputs, head(x), name=entry.name)
    if head_weights is not None:
        head.set_weights(head_weights)
    return model


def split_published(task: keras.Model, name: str) -> tuple[keras.Model, list]:
    """A published classifier's body (up to its head's input) and the head's weights."""
    head = find_head(task)
    return keras.Model(task.inputs, head_input(task, head), name=f"{name}_body"), head.get_weights()


def with_head(published: keras.Model, names: list[str] | None, dropout: float | None) -> keras.Model:
    """kzoo's own models: a new head when ``names`` differ from the published ones, and the dropout
    in front of the head set when asked (dropout reads its rate at call time)."""
    model = published if names is None or class_names_of(published) == names else swap_head(
        published, class_names=names)
    if dropout is not None:
        layers = model.layers
        before_head = layers[layers.index(find_head(model)) - 1]
        if not isinstance(before_head, keras.layers.Dropout):
            raise InputError(f"{model.name} has no dropout layer in front of its head, so dropout={dropout} "
                             "cannot be applied; leave dropout out.")
        before_head.rate = dropout
    return model


def corrupt(path, err: Exception, fix: str, files: list[str] | None = None) -> CorruptFileError:
    """The error for weights that exist but cannot be read: names the file(s), the cause and the fix.
    ``files``: the damaged ones in a preset folder ``path`` (default: every file in it)."""
    path = Path(path)
    where = str(path)
    if path.is_dir():  # a preset folder: name the files a reader may have choked on
        files = files or sorted(p.name for p in path.iterdir() if p.is_file())
        where += f" ({', '.join(files) or 'empty'})"
    return CorruptFileError(f"{where} could not be read as model weights ({type(err).__name__}: "
                            f"{err}). It is truncated, damaged or not a weights file. {fix}")


def preset_failure(folder, err: Exception, fix: str) -> KzooError:
    """The error for a preset KerasHub could not load: a ``CorruptFileError`` naming the damaged files,
    or a ``ModelBuildError`` when every file passes ``damaged_files``' checks (fetching again would not
    help then: the cause is the software reading them)."""
    folder = Path(folder)
    damaged = damaged_files(folder) if folder.is_dir() else [folder.name]
    if damaged:
        return corrupt(folder, err, fix, damaged)
    return ModelBuildError(
        f"{folder} holds model files that pass kzoo's checks (every JSON file parses, every weights file is "
        f"complete), yet KerasHub could not build a model from them ({type(err).__name__}: {err}). Fetching "
        "them again would not help: a preset written by a newer KerasHub, or a Keras setting or version "
        "this one does not support, is the likely cause. `kzoo doctor` shows the versions and backend in "
        "use; upgrading keras-hub reads newer presets.")


def damaged_files(folder: Path) -> list[str]:
    """Files under a preset folder (relative names) that fail a structural check: JSON that does not
    parse, a safetensors file whose header or length is wrong, an HDF5 file with an unreadable dataset;
    and ``config.json`` or a weights file where the folder has none."""
    checks = {".json": _json_intact, ".safetensors": _safetensors_intact, ".h5": _h5_intact}
    files = [p for p in sorted(folder.rglob("*")) if p.is_file()]
    missing = [f"{name} (missing)" for name, present in
               [("config.json", (folder / "config.json").is_file()),
                ("a .safetensors or .h5 weights file", any(p.suffix in (".safetensors", ".h5") for p in files))]
               if not present]
    return missing + [str(p.relative_to(folder)) for p in files if p.suffix in checks and not checks[p.suffix](p)]


def _json_intact(path: Path) -> bool:
    try:
        json.loads(path.read_bytes())
        return True
    except ValueError:
        return False


def _safetensors_intact(path: Path) -> bool:
    """An 8-byte header length, that many bytes of JSON, then exactly the tensor bytes it places."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        length = int.from_bytes(f.read(8), "little")
        if size < 8 or length > size - 8:
            return False
        try:
            header = json.loads(f.read(length))
            end = max((t["data_offsets"][1] for name, t in header.items() if name != "__metadata__"), default=0)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return False
    return size == 8 + length + end


def _h5_intact(path: Path) -> bool:
    import h5py

    def read(_, item):
        if isinstance(item, h5py.Dataset):
            item[()]

    try:
        with h5py.File(path, "r") as f:
            f.visititems(read)
        return True
    except (OSError, ValueError, KeyError, RuntimeError):
        return False


def check_shape(entry, input_shape) -> None:
    """Refuse an ``input_shape`` other than the one a fixed-size model was trained on."""
    if input_shape is not None and tuple(input_shape) != tuple(entry.input_shape):
        raise InputError(f"{entry.name} takes inputs of shape {tuple(entry.input_shape)} only; got "
                         f"input_shape={tuple(input_shape)}. Resize your data to "
                         f"{tuple(entry.input_shape)}, or leave input_shape out.")
