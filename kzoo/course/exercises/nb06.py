"""Exercises of notebook 06 (text: a BERT-style encoder on SST-2)."""
import numpy as np

from kzoo.course.exercises.checks import choice, close_to, function_of
from kzoo.course.exercises.question import Question

_A = np.array([1.0, 0.0, 0.0])
_B = np.array([1.0, 1.0, 0.0])

QUESTIONS = (
    Question(
        "padding_mask",
        "Mean pooling averages the encoder's token vectors. Why must it use the padding mask? "
        "(a) padding tokens have no vector; (b) otherwise a short sentence's embedding is mostly the "
        "average of [PAD] positions, and depends on the sequence length; (c) the mask makes it faster; "
        "(d) it must not: [PAD] carries the sentence meaning.",
        check=choice("abcd", "b", why_not={
            "a": "every position, padding included, gets a vector from the encoder; the question is "
                 "whether to count it.",
            "c": "masking costs the same; it changes the result, not the speed.",
            "d": "[PAD] is filler added to make a batch rectangular; it carries nothing about the sentence.",
        }),
        hint="A 6-token sentence padded to 64 tokens: what fraction of positions are real words?",
        solution="(b): without the mask, a 6-token sentence at sequence_length 64 would be averaged "
                 "with 58 [PAD] vectors, and the same sentence would embed differently at another length.",
    ),
    Question(
        "head_params",
        "The MiniLM encoder gives a 384-number sentence embedding. How many parameters does the "
        "2-class head (negative, positive) have?",
        check=close_to(770, mistakes={
            768: "that is the kernel only (384 x 2); each class also has a bias.",
            384: "that would be one output; the head has one output per class.",
        }),
        hint="A Dense layer with n inputs and k outputs has n x k weights and k biases.",
        solution="384 * 2 + 2 = 770  # kzoo.find_head(model).count_params()",
    ),
    Question(
        "cosine",
        "Write cosine(a, b): the cosine similarity of two 1-D vectors, a . b / (|a| |b|).",
        check=function_of([
            ((_A, _A), 1.0),
            ((_A, _B), 1 / np.sqrt(2)),
            ((_A, -_A), -1.0),
            ((_A, np.array([0.0, 3.0, 0.0])), 0.0),
        ]),
        hint="np.dot and np.linalg.norm.",
        solution="def cosine(a, b):\n    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))",
    ),
)
