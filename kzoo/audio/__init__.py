"""Audio: a log-mel front end as a Keras layer, the pre-trained musicnn music taggers and Google's
speech_embedding keyword-spotting encoder."""
from kzoo.audio.convert import convert_checkpoint, load_tagger
from kzoo.audio.frontend import LogMelSpectrogram, mel_filterbank
from kzoo.audio.musicnn import N_SAMPLES, TAG_NAMES, VARIANTS, ZOO_ENTRIES, build_tagger
from kzoo.audio.speech_convert import convert_onnx, load_embedding_net, load_speech_embedding
from kzoo.audio.speech_embedding import (SpeechLogMel, build_classifier, build_embedding_net,
                                         dft_kernels)
