"""Audio: a log-mel front end as a Keras layer and the pre-trained musicnn music taggers."""
from kzoo.audio.convert import convert_checkpoint, load_tagger
from kzoo.audio.frontend import LogMelSpectrogram, mel_filterbank
from kzoo.audio.musicnn import N_SAMPLES, TAG_NAMES, VARIANTS, ZOO_ENTRIES, build_tagger
