"""Exercises of notebook 05 (what the layers learned: filters, feature maps, keeping the first k)."""
from kzoo.course.exercises.checks import choice, close_to, in_range
from kzoo.course.exercises.question import Question

QUESTIONS = (
    Question(
        "stem_params",
        "EfficientNet-Lite0's stem convolution has 32 filters of 3 x 3 over the 3 colour channels, "
        "and no bias (a BatchNorm follows it). How many weights does its kernel hold?",
        check=close_to(864, mistakes={
            896: "that counts a bias per filter; the stem conv has none, the BatchNorm after it shifts instead.",
            288: "each filter spans all 3 input channels: 3 x 3 x 3 weights, not 3 x 3.",
            27: "that is one filter; there are 32.",
        }),
        hint="kernel shape (height, width, in channels, filters); model.get_layer(...).kernel.shape",
        solution="3 * 3 * 3 * 32 = 864",
    ),
    Question(
        "general_layers",
        "Which layers of a pre-trained CNN are the most general, i.e. transfer best to a new task? "
        "(a) the first layers; (b) the last layers, since they compute the most abstract features and "
        "are the closest to the loss; (c) all layers equally; (d) the head.",
        check=choice("abcd", "a", why_not={
            "b": "abstract features are the ones specialised to task A's classes.",
            "c": "Yosinski et al. (2014) found transferability falls with depth.",
            "d": "the head maps features to task A's classes; it is the one part always replaced.",
        }),
        hint="Look at the first-layer filters and at the accuracy against k plot.",
        solution="(a): first layers learn Gabor-like edges and colour blobs on almost any image data "
                 "(Zeiler & Fergus 2014; Yosinski et al. 2014); specificity grows with depth.",
    ),
    Question(
        "kept_layers",
        "kzoo.surgery.reinitialize(model, keep='block2_bn') on glyphnet (conv, BatchNorm per block; "
        "three blocks; a head): how many layers with weights keep their pre-trained values?",
        check=close_to(4, mistakes={
            2: "keep counts layers with weights: block1_conv, block1_bn, block2_conv, block2_bn.",
            3: "BatchNorm layers have weights too (gamma, beta and the moving statistics).",
            7: "that is every weight layer; keep='block2_bn' keeps up to and including block2_bn.",
        }),
        hint="[l.name for l in kzoo.leaf_layers(model) if l.weights]",
        solution="4  # block1_conv, block1_bn, block2_conv, block2_bn",
    ),
    Question(
        "twenty_per_class",
        "Experiment: with the notebook's keep_first, keep the first 2 pre-trained blocks and fine-tune on "
        "20 labelled digits per class (kzoo.datasets.few_shot(..., per_class=20, seed=0), seed 0). What "
        "test accuracy does it reach? Answer with a fraction.",
        # Measured with seed 0: 0.975 in full mode, 0.969 in fast mode (94.4% with 5 per class in the full run).
        check=in_range(0.85, 1.0, mistakes={0.1: "that is chance: did the model train?"}),
        hint="x_20, y_20 = kzoo.datasets.few_shot((x_train, y_train), per_class=20, seed=0); "
             "keep_first(2, x_20, y_20, 0).",
        solution="answer = keep_first(2, *kzoo.datasets.few_shot((x_train, y_train), per_class=20, seed=0), 0)",
    ),
    # The questionnaire at the end of the notebook.
    Question(
        "pooled_features",
        "EfficientNet-Lite0's last feature maps are 7 x 7 with 1,280 channels. How many numbers does "
        "global average pooling turn them into? Answer with a number.",
        check=close_to(1280, mistakes={
            62_720: "that is every value of the maps (7 x 7 x 1280); pooling averages each channel over the 7 x 7 grid.",
            49: "that is one channel's grid; pooling keeps one number per channel.",
        }),
        hint="Global average pooling averages each channel over all positions.",
        solution="1280: one average per channel.",
    ),
    Question(
        "reinitialize",
        "What does kzoo.surgery.reinitialize(model, keep='block1_bn') do? (a) freezes every layer up to "
        "and including block1_bn, so that they keep their pre-trained weights during training; (b) "
        "deletes the layers after block1_bn; (c) re-draws the weights of the layers after block1_bn; "
        "(d) resets the optimizer's state.",
        check=choice("abcd", "c", why_not={
            "a": "trainability is kzoo.freeze's business; reinitialize changes weights, not trainability.",
            "b": "the architecture stays the same: every layer is still there.",
            "d": "it works on the model's weights; the optimizer is created when you compile.",
        }),
        hint="Section 3 uses it to make the k = 0..3 models: same architecture, different starting weights.",
        solution="(c): the layers after `keep` get fresh random weights from their initialisers.",
    ),
    Question(
        "edge_detectors",
        "Where in a CNN do you find detectors of oriented edges and colour contrasts? (a) in the head; "
        "(b) in the last block, just before pooling; (c) in no particular layer: they are spread evenly "
        "over the depth of the network; (d) in the first layer.",
        check=choice("abcd", "d", why_not={
            "a": "the head maps pooled features to classes.",
            "b": "the last block's maps are 7 x 7 part and texture detectors.",
            "c": "section 1 shows them in the first layer; deeper layers combine them.",
        }),
        hint="Look at plot_filters of the stem.",
        solution="(d): the first layer (Zeiler & Fergus, 2014).",
    ),
)
