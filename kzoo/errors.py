"""Errors that kzoo raises. Each says what went wrong and what to do about it."""
import difflib
from typing import Iterable


def did_you_mean(name: str, known: Iterable[str], cutoff: float = 0.6) -> str:
    """`` Did you mean 'a', 'b'?`` for up to three known names close to ``name``, else ``""``.

    Example:
        >>> did_you_mean("glyphnt", ["glyphnet", "minilm_l6"])
        " Did you mean 'glyphnet'?"
        >>> did_you_mean("resnet", ["glyphnet"])
        ''
    """
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=cutoff)
    return f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""


class KzooError(Exception):
    """Base class of every error kzoo raises on purpose."""


class InputError(KzooError, ValueError):
    """An argument or a piece of data is not what the function needs."""


class UnknownNameError(KzooError, KeyError):
    """A model or data-set name is not in the catalog."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


class NotAvailableError(KzooError):
    """Files for a name could be found nowhere kzoo looked (and the network was off or failed)."""


class DownloadError(KzooError):
    """A download failed; nothing partial was left in the cache."""


class ChecksumError(DownloadError):
    """Downloaded or cached bytes do not match the expected sha256."""


class CorruptFileError(KzooError):
    """A weights or data file on disk is unreadable or truncated."""


class ModelBuildError(KzooError, RuntimeError):
    """Model files that are intact, yet Keras or KerasHub could not build a model from them (a newer
    preset format, an incompatible version or setting): fetching them again would not help."""
