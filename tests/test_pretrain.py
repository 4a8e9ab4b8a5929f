"""kzoo.pretrain: patch masking, autoencoders trained with fit(x, x), the encoder reused; notebook 09's exercises."""
import keras
import numpy as np
import pytest

import kzoo
import kzoo.pretrain
from kzoo.exercises import for_notebook
from kzoo.pretrain import PatchMask


def images(n=64, seed=0):
    """Bars at random rows: structured data an autoencoder can learn quickly."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 8, 8, 1), "float32")
    x[np.arange(n), rng.integers(0, 8, n), :, 0] = 1.0
    return x


def small_classifier():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.Flatten(name="flatten")(x)
    return keras.Model(inputs, kzoo.ClassifierHead(["a", "b"], name="head")(x))


def test_mask_is_identity_at_inference_and_blanks_whole_patches_in_training():
    layer = PatchMask(0.5, patch_size=2, seed=0)
    x = np.ones((200, 8, 8, 1), "float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    masked = keras.ops.convert_to_numpy(layer(x, training=True))
    patches = masked.reshape(200, 4, 2, 4, 2).transpose(0, 1, 3, 2, 4).reshape(200, 16, 4)
    assert set(np.unique(patches.sum(-1))) == {0.0, 4.0}  # each patch is kept or blanked as a whole
    assert 0.45 < 1 - masked.mean() < 0.55
    assert not np.array_equal(masked[0], masked[1])  # each image gets its own mask


@pytest.mark.parametrize("kwargs, message", [
    ({"ratio": 1.0}, "mask ratio"), ({"ratio": 0.5, "patch_size": 0}, "patch_size"),
])
def test_mask_rejects_bad_settings(kwargs, message):
    with pytest.raises(kzoo.InputError, match=message):
        PatchMask(**kwargs)


def test_mask_needs_a_patch_size_that_divides_the_image():
    with pytest.raises(kzoo.InputError, match="does not divide"):
        PatchMask(0.5, patch_size=3)(np.ones((1, 8, 8, 1), "float32"))


def test_autoencoder_learns_to_reconstruct_and_trains_the_shared_encoder():
    net = kzoo.freeze(small_classifier())  # a frozen body, as kzoo.load gives
    encoder = kzoo.split_model(net)[0]
    conv_before = net.get_layer("conv").get_weights()[0].copy()
    ae = kzoo.pretrain.autoencoder(encoder, hidden=32, lr=1e-2)
    assert ae.name == "autoencoder" and ae.output_shape == (None, 8, 8, 1)
    x = images()
    history = ae.fit(x, x, epochs=30, batch_size=16, verbose=0).history["loss"]
    assert history[-1] < 0.3 * np.var(x)  # far better than predicting the mean image
    # the classifier shares the encoder's layers: its body is now the pre-trained one
    assert not np.allclose(net.get_layer("conv").get_weights()[0], conv_before)


def test_masked_autoencoder_trains_and_saves_with_its_mask(tmp_path):
    encoder = kzoo.split_model(small_classifier())[0]
    ae = kzoo.pretrain.autoencoder(encoder, mask_ratio=0.5, hidden=16, seed=1)
    assert ae.name == "masked_autoencoder" and isinstance(ae.get_layer("mask"), PatchMask)
    x = images(32)
    ae.fit(x, x, epochs=1, verbose=0)
    ae.save(tmp_path / "mae.keras")
    again = keras.saving.load_model(tmp_path / "mae.keras")
    assert again.get_layer("mask").ratio == 0.5
    np.testing.assert_allclose(again.predict(x, verbose=0), ae.predict(x, verbose=0), atol=1e-5)


def test_a_custom_decoder_must_rebuild_the_input_shape():
    encoder = kzoo.split_model(small_classifier())[0]
    wrong = keras.Sequential([keras.Input(encoder.output_shape[1:]), keras.layers.Dense(10)])
    with pytest.raises(kzoo.InputError, match="must rebuild the input's shape"):
        kzoo.pretrain.autoencoder(encoder, wrong)


@pytest.mark.parametrize("encoder, kwargs, message", [
    ("conv", {}, "encoder must be a built keras.Model"),
    (None, {"hidden": 0}, "hidden == 0, must be an int >= 1"),
    (None, {"lr": -1}, "lr == -1, must be a finite number > 0"),
    (None, {"lr": float("nan")}, "lr == nan, must be a finite number > 0"),
    (None, {"mask_ratio": 1.0}, r"mask ratio == 1.0, must be a finite number in \[0, 1\)"),
])
def test_autoencoder_validates_its_arguments(encoder, kwargs, message):
    with pytest.raises(kzoo.InputError, match=message):
        kzoo.pretrain.autoencoder(encoder or kzoo.split_model(small_classifier())[0], **kwargs)


def test_masking_needs_image_input():
    encoder = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3)])
    with pytest.raises(kzoo.InputError, match="images"):
        kzoo.pretrain.autoencoder(encoder, mask_ratio=0.5)


# --- greedy layer-wise pre-training ------------------------------------------------------------
def test_greedy_layerwise_trains_each_layer_with_the_ones_below_fixed():
    x = images(64)
    one = kzoo.pretrain.greedy_layerwise(x, (16,), epochs=3, seed=0)
    two = kzoo.pretrain.greedy_layerwise(x, (16, 8), epochs=3, seed=0)
    untrained = kzoo.pretrain.greedy_layerwise(x, (16, 8), epochs=0, seed=0)
    assert [layer.name for layer in two.layers] == ["flatten", "layer_1", "layer_2"]
    assert two.predict(x, verbose=0).shape == (64, 8)
    # Greedy: training layer 2 leaves layer 1 exactly as training it alone did.
    for a, b in zip(one.get_layer("layer_1").get_weights(), two.get_layer("layer_1").get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    # epochs=0 is the same stack with its random starting weights.
    assert not np.allclose(untrained.get_layer("layer_1").get_weights()[0], two.get_layer("layer_1").get_weights()[0])


@pytest.mark.parametrize("x, kwargs, message", [
    ("pixels", {}, "x must be a numeric array"),
    (np.zeros((0, 4)), {}, "non-empty array"),
    (None, {"units": ()}, "units must be a non-empty list"),
    (None, {"units": (8, 0)}, r"units\[1\] == 0"),
    (None, {"epochs": -1}, "epochs == -1"),
    (None, {"noise": 1.0}, "noise == 1.0"),
])
def test_greedy_layerwise_validates_its_arguments(x, kwargs, message):
    with pytest.raises(kzoo.InputError, match=message):
        kzoo.pretrain.greedy_layerwise(images(8) if x is None else x, **{"units": (4,), **kwargs})


# --- notebook 09's exercises -------------------------------------------------------------------
def test_notebook_09_right_and_wrong_answers():
    q = for_notebook("09")
    assert q["patches_masked"].check(8, quiet=True)
    assert "pixels" in q["patches_masked"].check(32, quiet=True).message
    assert q["why_mask"].check("d", quiet=True) and not q["why_mask"].check("c", quiet=True)
    assert "biases" in q["decoder_params"].check(540_672, quiet=True).message
    assert q["ten_per_class"].check(0.93, quiet=True) and not q["ten_per_class"].check(93, quiet=True)
    assert q["deep_belief_nets"].check("a", quiet=True) and not q["deep_belief_nets"].check("b", quiet=True)
    assert q["before_pooling"].check("c", quiet=True) and not q["before_pooling"].check("d", quiet=True)
    assert q["pixels_masked"].check(48, quiet=True) and "patches" in q["pixels_masked"].check(12, quiet=True).message


def test_notebook_09_decoder_params_answer_is_the_real_count():
    net = kzoo.load("glyphnet", weights=None, class_names=[str(d) for d in range(10)])
    encoder = keras.Model(net.input, net.get_layer("block3_relu").output)
    ae = kzoo.pretrain.autoencoder(encoder)
    assert for_notebook("09")["decoder_params"].check(ae.get_layer("decoder").count_params(), quiet=True)
