"""Plots of what layers learned (filters, feature maps) and of data efficiency."""
import keras
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import kzoo  # noqa: E402
from kzoo import plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_data_efficiency_draws_one_line_per_method_on_a_log_axis():
    results = {"scratch": {1: [0.5, 0.7], 5: [0.9, 0.9], 20: 0.95}, "option 1": {1: 0.8, 5: 0.93, 20: 0.96}}
    fig = plots.plot_data_efficiency(results, title="t")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["scratch", "option 1"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "5", "20"]
    line = ax.containers[0].lines[0]  # the first method's errorbar: its data line
    np.testing.assert_allclose(np.asarray(line.get_ydata(), float), [60.0, 90.0, 95.0])  # means of the seeds, in %


@pytest.mark.parametrize("results, match", [({}, "non-empty"), ({"a": {0: 0.5}}, "whole numbers"),
                                            ({"a": {1: 85.0}}, "percentages"), ({"a": {}}, "non-empty")])
def test_data_efficiency_rejects_bad_results(results, match):
    with pytest.raises(kzoo.InputError, match=match):
        plots.plot_data_efficiency(results)


def test_filters_of_a_conv_layer_largest_first():
    layer = keras.layers.Conv2D(5, 3)
    layer.build((None, 8, 8, 3))
    kernel = np.zeros((3, 3, 3, 5), np.float32)
    kernel[..., 2] = 1.0  # the largest filter: a flat one
    kernel[0, 0, 0, 4] = 0.5
    layer.kernel.assign(kernel)
    fig = plots.plot_filters(layer, n=2)
    images = [ax.get_images()[0].get_array() for ax in fig.axes if ax.get_images()]
    assert len(images) == 2 and images[0].shape == (3, 3, 3)  # RGB filters shown in colour
    assert np.asarray(images[1])[0, 0, 0] == 1.0  # the second largest, scaled to 0..1 on its own
    assert "2 of 5 filters" in fig._suptitle.get_text()


def test_filters_of_one_channel_are_centred_on_zero():
    kernel = np.random.default_rng(0).normal(size=(3, 3, 1, 4))
    fig = plots.plot_filters(kernel)
    image = fig.axes[0].get_images()[0]
    low, high = image.get_clim()
    assert low == -high and image.get_array().shape == (3, 3)


@pytest.mark.parametrize("bad, match", [(np.zeros((3, 3, 3)), "height, width"), ("conv", "convolution")])
def test_filters_reject_what_is_not_a_kernel(bad, match):
    with pytest.raises(kzoo.InputError, match=match):
        plots.plot_filters(bad)


def test_filters_reject_a_bad_n():
    with pytest.raises(kzoo.InputError, match="1..4"):
        plots.plot_filters(np.zeros((3, 3, 1, 4)), n=5)


def _probe_model():
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(3, 3, padding="same", name="conv", kernel_initializer="ones")(inputs)
    x = keras.layers.MaxPooling2D(2, name="pool")(x)
    return keras.Model(inputs, keras.layers.Flatten(name="flat")(x))


def test_feature_maps_one_row_per_layer_most_active_channels():
    image = np.zeros((8, 8, 1), np.float32)
    image[2, 3] = 1.0
    fig = plots.plot_feature_maps(_probe_model(), image, ["conv", "pool"], n=2)
    assert len(fig.axes) == 4  # 2 layers x 2 channels
    first = np.asarray(fig.axes[0].get_images()[0].get_array())
    assert first.shape == (8, 8) and first[2, 3] == 1.0 and first[0, 0] == 0.0  # an all-ones 3x3 filter
    assert np.asarray(fig.axes[2].get_images()[0].get_array()).shape == (4, 4)


def test_feature_maps_explain_bad_layers_and_inputs():
    model = _probe_model()
    with pytest.raises(kzoo.InputError, match="Did you mean 'conv'"):
        plots.plot_feature_maps(model, np.zeros((8, 8, 1)), ["cnv"])
    with pytest.raises(kzoo.InputError, match="batch, h, w, channels"):
        plots.plot_feature_maps(model, np.zeros((8, 8, 1)), ["flat"])
    with pytest.raises(kzoo.InputError, match="one example"):
        plots.plot_feature_maps(model, np.zeros((2, 8, 8, 1)), ["conv"])
    with pytest.raises(kzoo.InputError, match="list of layer names"):
        plots.plot_feature_maps(model, np.zeros((8, 8, 1)), "conv")
