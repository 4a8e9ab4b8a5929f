"""Exercises of notebook 09 (unsupervised pre-training: masked autoencoders)."""
from kzoo.course.exercises.checks import choice, close_to, in_range
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
        "image? (a) it makes each training step faster; (b) the unlabelled images would otherwise need "
        "labels; (c) it stops the classifier head from over-fitting later, because the features it "
        "learns are noisier and so more robust; (d) a wide network can copy unmasked pixels through, "
        "which needs no knowledge of digits.",
        check=choice("abcd", "d", why_not={
            "a": "a step costs the same: the blanked pixels still go through every layer.",
            "b": "both variants train on x alone; neither uses labels.",
            "c": "masking only changes pre-training; the head is trained afterwards, without masks.",
        }),
        hint="Think about the easiest way for a large network to get a plain reconstruction loss to zero.",
        solution="(d): with no information hidden, copying the input (close to the identity function) "
                 "solves the task; hiding patches makes the network predict strokes from their context, "
                 "the same reason BERT hides words (Devlin et al., 2019) and MAE hides patches (He et al., 2022).",
    ),
    Question(
        "ten_per_class",
        "Experiment: with the notebook's train function, fine-tune the masked-autoencoder start on 10 "
        "labelled digits per class (kzoo.datasets.few_shot(..., per_class=10, seed=0), seed 0). What test "
        "accuracy does it reach? Answer with a fraction.",
        # Measured with seed 0: 0.85 in full mode, 0.92 in fast mode; seeds move a 10-shot run by several
        # points (the full run's means: 90.8% with 5 per class, 96.4% with 20).
        check=in_range(0.7, 1.0, mistakes={0.1: "that is chance: did the model train?"}),
        hint="x_10, y_10 = kzoo.datasets.few_shot((x_train, y_train), per_class=10, seed=0); then "
             "train('masked-AE init', x_10, y_10, 0).",
        solution="answer = train('masked-AE init', *kzoo.datasets.few_shot((x_train, y_train), per_class=10, seed=0), 0)",
    ),
    # The questionnaire at the end of the notebook.
    Question(
        "deep_belief_nets",
        "How were deep belief nets pre-trained (Hinton, Osindero & Teh, 2006)? (a) one layer at a "
        "time, each a restricted Boltzmann machine; (b) end to end, by reconstructing masked patches of "
        "the input as masked autoencoders do today; (c) on labelled ImageNet photos; (d) by predicting "
        "the next word.",
        check=choice("abcd", "a", why_not={
            "b": "that is the modern form (He et al., 2022); deep belief nets came first and went layer by layer.",
            "c": "their pre-training used no labels.",
            "d": "that is how GPT-style language models are pre-trained.",
        }),
        hint="Section 2, first paragraph.",
        solution="(a): greedy layer-wise training of restricted Boltzmann machines, no labels, then fine-tuning.",
    ),
    Question(
        "before_pooling",
        "Why is the encoder cut before global average pooling? (a) pooling has too many parameters; "
        "(b) pooling only works on labelled data; (c) pooling throws away where each stroke is; (d) "
        "the decoder must have the same number of inputs as the image has pixels, and pooling gives "
        "more.",
        check=choice("abcd", "c", why_not={
            "a": "global average pooling has no parameters at all.",
            "b": "pooling is an operation on feature maps; it knows nothing of labels.",
            "d": "the decoder's first layer can take any number of inputs; pooling gives fewer numbers, not more.",
        }),
        hint="What would a decoder need to know to redraw the digit?",
        solution="(c): after pooling only one average per channel remains; the position of strokes is gone.",
    ),
    Question(
        "pixels_masked",
        "With mask_ratio=0.75 and patch_size=2 on 8 x 8 images, how many pixels of each image are blanked? "
        "Answer with a number.",
        check=close_to(48, mistakes={
            12: "that counts patches; each 2 x 2 patch has 4 pixels.",
            16: "that is the number of patches per image.",
            32: "that is for mask_ratio=0.5.",
        }),
        hint="16 patches of 4 pixels; mask_ratio of them are blanked.",
        solution="16 * 0.75 * 4 = 48",
    ),
)
