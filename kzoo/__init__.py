"""kzoo: a Keras 3 model zoo and course for pre-training, transfer learning and fine-tuning."""
from kzoo.errors import (ChecksumError, CorruptFileError, DownloadError, InputError, KzooError,
                         NotAvailableError, UnknownNameError)
from kzoo.layers import ClassifierHead, ImagePreprocessing
from kzoo.zoo.catalog import ZooEntry, info, list_models

__version__ = "0.1.0"
