"""Exercises of notebook 06 (text: a BERT-style encoder on SST-2), and its closing questionnaire."""
import numpy as np

from kzoo.course.exercises.checks import choice, close_to, function_of, in_range
from kzoo.course.exercises.question import Question

_A = np.array([1.0, 0.0, 0.0])
_B = np.array([1.0, 1.0, 0.0])

QUESTIONS = (
    Question(
        "padding_mask",
        "Mean pooling averages the encoder's token vectors. Why must it use the padding mask? "
        "(a) without it a short sentence's embedding is mostly the average of [PAD] positions and "
        "changes with the sequence length; (b) padding positions get no vector from the encoder, so "
        "the average would fail; (c) masking skips the padded positions, which makes pooling faster; "
        "(d) it must not: [PAD] positions carry the meaning of the whole sentence.",
        check=choice("abcd", "a", why_not={
            "b": "every position, padding included, gets a vector from the encoder; the question is "
                 "whether to count it.",
            "c": "masking costs the same; it changes the result, not the speed.",
            "d": "[PAD] is filler added to make a batch rectangular; it carries nothing about the sentence.",
        }),
        hint="A 6-token sentence padded to 64 tokens: what fraction of positions are real words?",
        solution="(a): without the mask, a 6-token sentence at sequence_length 64 would be averaged "
                 "with 58 [PAD] vectors, and the same sentence would embed differently at another length.",
    ),
    Question(
        "pretraining",
        "Which pre-training task lets the model use the words on BOTH sides of a position? "
        "(a) GPT's next-word prediction, because it reads the whole document before predicting; "
        "(b) both, because both are trained on the same kind of web text; "
        "(c) BERT's masked-word prediction, because the words around a [MASK] are all visible; "
        "(d) neither: a transformer only ever sees the words to its left.",
        check=choice("abcd", "c", why_not={
            "a": "a next-word predictor may only look left: if it saw the next word, predicting it "
                 "would be trivial.",
            "b": "the text is similar; the task differs, and the task decides what the model may see.",
            "d": "that is true of GPT's causal attention only; BERT's attention sees every position.",
        }),
        hint="If a model predicting word 5 could see word 5, what would it learn?",
        solution="(c): BERT hides ~15% of the tokens and predicts them from everything else; GPT "
                 "predicts each token from the ones before it, so its attention is causal (left only).",
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
    Question(
        "probe_32",
        "Experiment: fit the frozen probe (kzoo.fit_head on the frozen encoder) with 32 labelled "
        "sentences per class (kzoo.datasets.few_shot(train, per_class=32, seed=1)) and give its "
        "accuracy on the test sentences as a fraction between 0 and 1.",
        check=in_range(0.55, 0.86),
        hint="few_shot gives (x, y); kzoo.fit_head(model, (x, y)); then compare np.argmax of "
             "model.predict(x_test) with y_test.",
        solution="x32, y32 = kzoo.datasets.few_shot((x_pool, y_pool), per_class=32, seed=1)\n"
                 "kzoo.fit_head(model, (x32, y32))\n"
                 "answer = float(np.mean(np.argmax(head.predict(f_test, verbose=0), axis=1) == y_test))",
    ),
    # The closing questionnaire: short questions on the whole lesson.
    Question(
        "pairs",
        "SetFit with 8 labelled sentences per class (16 in all) and pairs_per_sentence=20: how many "
        "sentence pairs does kzoo.sentence_pairs make?",
        check=close_to(640, mistakes={
            320: "that counts one kind only: each sentence anchors 20 same-class AND 20 other-class pairs.",
            16 * 15 // 2: "that is every unordered pair once; SetFit samples pairs per sentence instead.",
        }),
        hint="Per sentence: pairs_per_sentence positive and as many negative pairs.",
        solution="2 * 16 * 20 = 640",
    ),
    Question(
        "unseen_word",
        "The bag-of-words model was trained on sentences that never contain the word 'unwatchable'. "
        "What does it do with a test review 'unwatchable'? (a) it splits it into known pieces like "
        "WordPiece does; (b) it treats it as negative, since 'un' words are negative; (c) it looks the "
        "word up in a pre-trained dictionary; (d) it ignores it: the word has no column, so the "
        "review has no features and gets the default (intercept) answer.",
        check=choice("abcd", "d", why_not={
            "a": "that is what the encoder's tokenizer does; the TF-IDF vocabulary holds whole words and "
                 "word pairs seen in training, nothing else.",
            "b": "it knows nothing about prefixes; an unseen word is simply not a feature.",
            "c": "bag of words has no pre-training: what it knows comes from its training sentences only.",
        }),
        hint="kzoo.bag_of_words(...).model[0].vocabulary_ holds the columns.",
        solution="(d): an unseen word has no column; a pre-trained encoder still knows it (and its "
                 "word pieces), which is one reason it wins with few labels.",
    ),
    Question(
        "prompt_or_tune",
        "You must classify 10 million support tickets a day into 5 queues, and you have 2,000 "
        "labelled tickets. Which is the practical choice? (a) fine-tune a small encoder on the 2,000 "
        "labels and run it on your own CPUs; (b) prompt a 175-billion-parameter model with a few "
        "examples per ticket; (c) bag of words, since pre-trained models never help with tickets; "
        "(d) label all 10 million tickets by hand first.",
        check=choice("abcd", "a", why_not={
            "b": "in-context learning needs no training, but every ticket then costs a forward pass of a "
                 "model thousands of times larger, with the examples repeated in each prompt.",
            "c": "pre-training helps most when labels are few; measure bag of words as the baseline.",
            "d": "the point of transfer learning is that a few thousand labels are enough.",
        }),
        hint="Compare the cost per prediction and what 2,000 labels buy a fine-tuned encoder.",
        solution="(a): with a few thousand labels a fine-tuned small encoder is accurate, cheap per "
                 "prediction and runs where the data is; prompting a huge model suits few labels and low volume.",
    ),
)
