"""Exercises of notebook 05 (what the layers learned: filters, feature maps, keeping the first k)."""
from kzoo.course.exercises.checks import choice, close_to
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
        "(a) the first layers: edge, colour and stroke detectors that any image task needs; (b) the "
        "last layers, since they are the most trained; (c) all layers equally; (d) the head.",
        check=choice("abcd", "a", why_not={
            "b": "all layers train for the same number of steps; the last ones specialise to task A.",
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
)
