"""Exercises of notebook 09 (unsupervised pre-training: masked autoencoders)."""
from kzoo.course.exercises.checks import choice, close_to
from kzoo.course.exercises.question import Question

QUESTIONS = (
    Question(
        "patches_masked",
        "kzoo.pretrain.autoencoder(encoder, mask_ratio=0.5, patch_size=2) on 8x8 digit images: how "
        "many patches does each training image have blanked, on average? Answer with a number.",
        check=close_to(8, mistakes={
            32: "that counts pixels (32 of 64); the mask blanks whole 2x2 patches.",
            16: "that is the number of patches per image; half of them are blanked.",
            4: "an 8x8 image has (8 / 2) x (8 / 2) patches, not 8 / 2.",
        }),
        hint="An 8x8 image cut into 2x2 patches gives a 4x4 grid of patches; mask_ratio is the fraction blanked.",
        solution="(8 // 2) * (8 // 2) * 0.5 = 8 patches (32 pixels)",
    ),
    Question(
        "decoder_params",
        "The default decoder flattens the encoder's 4x4x128 feature map, then has a Dense layer of "
        "256 ReLU units and a linear Dense layer with one unit per pixel of the 8x8x1 image. How many "
        "parameters does it have? Work it out, then confirm with ae.get_layer('decoder').count_params().",
        check=close_to(540_992, mistakes={
            540_672: "you left out the biases: one per unit in each Dense layer.",
            33_088: "the decoder reads the whole 4x4x128 feature map (2,048 numbers), not a 128-d vector.",
        }),
        hint="A Dense layer from n inputs to m units has n * m weights and m biases.",
        solution="(4 * 4 * 128) * 256 + 256 + 256 * 64 + 64 = 540,992",
    ),
    Question(
        "why_mask",
        "Why blank part of each input instead of just asking the network to reproduce the whole "
        "image? (a) it makes each training step faster; (b) a network wide enough can learn to pass "
        "the pixels through, which needs no knowledge of digits, while filling in hidden strokes needs "
        "their shapes; (c) the unlabelled images would otherwise need labels; (d) it stops the "
        "classifier head from over-fitting later.",
        check=choice("abcd", "b", why_not={
            "a": "a step costs the same: the blanked pixels still go through every layer.",
            "c": "both variants train on x alone; neither uses labels.",
            "d": "masking only changes pre-training; the head is trained afterwards, without masks.",
        }),
        hint="Think about the easiest way for a large network to get a plain reconstruction loss to zero.",
        solution="(b): with no information hidden, copying the input (close to the identity function) "
                 "solves the task; hiding patches makes the network predict strokes from their context, "
                 "the same reason BERT hides words (Devlin et al., 2019) and MAE hides patches (He et al., 2022).",
    ),
)
