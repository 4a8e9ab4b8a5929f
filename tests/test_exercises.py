"""kzoo.exercises: checkers accept right answers, reject wrong ones and say why; per-notebook sets."""
import keras
import numpy as np
import pytest

import kzoo.exercises

from kzoo.errors import InputError, UnknownNameError
from kzoo.exercises import Question, Verdict, checks, for_notebook, notebooks


def _question(check):
    return Question("q", "prompt", check=check, hint="a hint", solution="a solution")


# --- Question and Verdict ----------------------------------------------------------------------
def test_check_prints_and_returns_a_truthy_verdict(capsys):
    q = _question(checks.close_to(2))
    right, wrong = q.check(2), q.check(3)
    out = capsys.readouterr().out
    assert isinstance(right, Verdict) and right and right.correct
    assert not wrong and "3 is too high" in wrong.message
    assert "[q] Correct: 2 is right." in out and "[q] Not yet: 3 is too high." in out


def test_quiet_check_prints_nothing_and_is_shown_when_displayed(capsys):
    verdict = _question(checks.close_to(2)).check(5, quiet=True)
    assert capsys.readouterr().out == ""
    verdict._ipython_display_()  # what a notebook does with a cell's last value
    assert "Not yet: 5 is too high." in capsys.readouterr().out
    _question(checks.close_to(2)).check(2)._ipython_display_()  # printed by check: not shown twice
    assert capsys.readouterr().out.count("Correct") == 1


@pytest.mark.parametrize("placeholder", [None, ...])
def test_unanswered_placeholders_are_wrong_with_a_helpful_message(placeholder):
    verdict = _question(checks.close_to(0)).check(placeholder, quiet=True)
    assert not verdict and verdict.message.startswith("No answer yet")


def test_student_stub_raising_not_implemented_is_wrong_and_explained():
    def stub(*args):
        raise NotImplementedError()

    verdict = _question(checks.function_of([((1,), 1)])).check(stub, quiet=True)
    assert not verdict and verdict.message.startswith("No answer yet") and "YOUR CODE HERE" in verdict.message


def test_hint_and_solution_print(capsys):
    q = _question(checks.close_to(1))
    q.hint()
    q.solution()
    out = capsys.readouterr().out
    assert "Hint [q]: a hint" in out and "Solution [q]:\na solution" in out


def test_question_validates_its_arguments():
    with pytest.raises(InputError, match="prompt"):
        Question("q", "", check=checks.close_to(1), hint="h", solution="s")
    with pytest.raises(InputError, match="check must be a function"):
        Question("q", "p", check=42, hint="h", solution="s")


# --- numbers -----------------------------------------------------------------------------------
def test_close_to_tolerance_direction_and_known_mistakes():
    check = checks.close_to(0.5, abs_tol=0.01, mistakes={50: "a fraction, not a percentage."})
    assert check(0.505)[0] and check(np.float32(0.495))[0] and check(np.array(0.5))[0]
    assert check(0.52) == (False, "0.52 is too high.")
    assert check(0.4) == (False, "0.4 is too low.")
    assert check(50) == (False, "50 is not right: a fraction, not a percentage.")


@pytest.mark.parametrize("answer, fragment", [
    ("0.5", "is a string"), (True, "truth value"), ([0.5], "expected a single number"),
    (float("nan"), "not a finite number"), (np.zeros(3), "expected a single number"),
])
def test_close_to_rejects_non_numbers_saying_why(answer, fragment):
    correct, message = checks.close_to(0.5)(answer)
    assert not correct and fragment in message


def test_close_to_accepts_a_zero_d_backend_tensor():
    assert checks.close_to(3.0)(keras.ops.convert_to_tensor(3.0))[0]


def test_in_range_and_percentage_hint():
    check = checks.in_range(0.6, 0.9)
    assert check(0.6)[0] and check(0.75)[0] and check(0.9)[0]
    assert check(0.5) == (False, "0.5 is below the range of sensible answers [0.6, 0.9].")
    correct, message = check(75)
    assert not correct and "percentage" in message
    with pytest.raises(InputError):
        checks.in_range(1, 0)


# --- choices -----------------------------------------------------------------------------------
def test_choice_normalises_and_explains_wrong_options():
    check = checks.choice("abcd", "b", why_not={"a": "that normalises twice."})
    assert check("b")[0] and check(" B ")[0] and check("(b)")[0]
    assert check("a") == (False, "'a' is not right: that normalises twice.")
    assert check("c") == (False, "'c' is not right.")
    assert check("e") == (False, "'e' is not one of the options a, b, c, d.")
    with pytest.raises(InputError):
        checks.choice("ab", "z")


# --- models ------------------------------------------------------------------------------------
def _classifier(n_classes=3):
    from kzoo.heads import swap_head

    body = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, name="hidden"),
                             keras.layers.Dense(5, name="old")])
    return swap_head(body, class_names=[f"c{i}" for i in range(n_classes)])


def test_model_with_accepts_the_right_model():
    from kzoo.freeze import freeze

    check = checks.model_with(output_shape=(None, 3), class_names=["c0", "c1", "c2"], trainable=["head"])
    correct, message = check(freeze(_classifier()))
    assert correct, message


def test_model_with_says_what_is_wrong():
    from kzoo.freeze import freeze

    check = checks.model_with(output_shape=(None, 3), class_names=["c0", "c1", "c2"], trainable=["head"])
    assert "not (None, 3)" in check(freeze(_classifier(4)))[1]
    unfrozen = _classifier()
    correct, message = check(unfrozen)
    assert not correct and "hidden" in message and "should be frozen" in message
    frozen_head = freeze(_classifier())
    frozen_head.get_layer("head").trainable = False
    assert "['head'] should train but is frozen" in check(frozen_head)[1]
    assert "expected a keras.Model" in check("model")[1]
    wrong_names = checks.model_with(class_names=["x", "y", "z"])(_classifier())
    assert not wrong_names[0] and "class names" in wrong_names[1]
    assert "no layer with weights named ['nope']" in checks.model_with(trainable=["nope"])(_classifier())[1]


# --- functions ---------------------------------------------------------------------------------
def test_function_of_reports_the_first_failing_input():
    check = checks.function_of([((2, 3), 5), ((np.array([1.0, 2.0]), 1), np.array([2.0, 3.0]))])
    assert check(lambda a, b: a + b)[0]
    assert check(lambda a, b: a * b) == (False, "for input (2, 3) it returned 6, expected 5.")
    correct, message = check(lambda a, b: 1 / 0)
    assert not correct and "raised ZeroDivisionError" in message
    assert "expected a function" in check(5)[1]


def test_function_of_with_a_property_verifier():
    def verify(result, args):
        return None if sorted(result) == sorted(args[0]) else "it is not a permutation of the input."

    check = checks.function_of([(([3, 1, 2],), None)], verify=verify)
    assert check(lambda xs: list(reversed(xs)))[0]
    assert check(lambda xs: xs[:1]) == (False, "for input ([3, 1, 2]) it is not a permutation of the input.")


# --- per-notebook sets -------------------------------------------------------------------------
def test_for_notebook_finds_each_module_and_validates_the_number():
    assert {"00", "01"} <= set(notebooks())
    assert list(for_notebook("00")) == list(for_notebook(0))
    with pytest.raises(InputError):
        for_notebook("1")
    with pytest.raises(UnknownNameError, match="these do: 00, 01"):
        for_notebook("99")


@pytest.mark.parametrize("number", kzoo.exercises.notebooks())
def test_every_notebook_has_two_to_ten_complete_questions(number):
    # two to four exercises, plus the end-of-notebook questionnaire's few questions (issue 13)
    questions = for_notebook(number)
    assert 2 <= len(questions) <= 10
    for q in questions.values():
        assert q.prompt and q._hint and q._solution


def test_notebook_00_right_and_wrong_answers():
    q = for_notebook("00")
    assert q["head_params"].check(1_281_000, quiet=True)
    assert "kernel only" in q["head_params"].check(1_280_000, quiet=True).message
    assert q["preprocessing"].check("c", quiet=True) and not q["preprocessing"].check("a", quiet=True)
    assert q["scaled_twice"].check(0.0, quiet=True)
    assert "right scaling" in q["scaled_twice"].check(0.73, quiet=True).message
    assert not q["scaled_twice"].check(7, quiet=True)
    assert q["logits"].check("d", quiet=True) and not q["logits"].check("a", quiet=True)
    assert q["offline"].check("b", quiet=True) and not q["offline"].check("a", quiet=True)
    assert q["uniform"].check(1 / 1000, quiet=True) and not q["uniform"].check(0.01, quiet=True)


def _top_k(logits, names, k):
    return [names[i] for i in np.argsort(logits)[::-1][:k]]


@pytest.mark.parametrize("variant", [
    lambda logits, names, k: _top_k(logits, names, k),
    lambda logits, names, k: tuple(_top_k(logits, names, k)),
    lambda logits, names, k: np.array(names)[np.argsort(logits)[::-1][:k]],
], ids=["list", "tuple", "numpy array"])
def test_top_k_accepts_a_list_a_tuple_or_a_numpy_array_of_the_right_names(variant):
    assert for_notebook("00")["top_k"].check(variant, quiet=True)


@pytest.mark.parametrize("variant, why", [
    (lambda logits, names, k: [names[i] for i in np.argsort(logits)[:k]], "ascending"),
    (lambda logits, names, k: set(_top_k(logits, names, k)), "unordered"),
    (lambda logits, names, k: np.argsort(logits)[::-1][:k], "indices, not names"),
    (lambda logits, names, k: _top_k(logits, names, k + 1), "one too many"),
    (lambda logits, names, k: [_top_k(logits, names, k)], "nested"),
])
def test_top_k_rejects_wrong_variants(variant, why):
    assert not for_notebook("00")["top_k"].check(variant, quiet=True), why


def test_notebook_01_right_and_wrong_answers():
    q = for_notebook("01")
    assert q["frozen_after_load"].check("a", quiet=True)
    assert not q["frozen_after_load"].check("b", quiet=True)
    assert q["head_params"].check(1290, quiet=True)
    assert "kernel only" in q["head_params"].check(1280, quiet=True).message

    def labels_needed(shots, accuracy, target):
        return next((n for n, acc in zip(shots, accuracy) if acc >= target), None)

    def strictly_above(shots, accuracy, target):  # a common slip: > instead of >=
        return next((n for n, acc in zip(shots, accuracy) if acc > target), None)

    assert q["labels_needed"].check(labels_needed, quiet=True)
    assert not q["labels_needed"].check(strictly_above, quiet=True)
    assert q["three_per_class"].check(0.9, quiet=True) and not q["three_per_class"].check(90, quiet=True)
    assert q["task_a"].check("c", quiet=True) and not q["task_a"].check("a", quiet=True)
    assert q["negative_transfer"].check("a", quiet=True) and not q["negative_transfer"].check("b", quiet=True)
    assert q["frozen_params"].check(93_344, quiet=True) and not q["frozen_params"].check(100_052, quiet=True)


@pytest.mark.assets
def test_notebook_00_model_question_on_the_real_model():
    from kzoo import config
    from kzoo.zoo.load import load

    assets = config.assets_dir()
    if assets is None or not (assets / "models" / "efficientnet_lite0_imagenet").is_dir():
        pytest.skip("needs efficientnet_lite0 in the $KZOO_ASSETS mirror")
    q = for_notebook("00")["new_head"]
    assert q.check(load("efficientnet_lite0", class_names=["ants", "bees"]), quiet=True)
    wrong = q.check(load("efficientnet_lite0", class_names=["bees", "ants"]), quiet=True)
    assert not wrong and "class names" in wrong.message


def test_notebook_01_by_hand_question_wants_the_given_model_with_a_new_head():
    from kzoo.freeze import freeze
    from kzoo.heads import swap_head
    from kzoo.zoo.load import load

    digits = [str(d) for d in range(10)]
    q = for_notebook("01")["swap_head"]
    assert q.check(lambda letters: freeze(swap_head(letters, class_names=digits)), quiet=True)
    not_frozen = q.check(lambda letters: swap_head(letters, class_names=digits), quiet=True)
    assert not not_frozen and "should be frozen" in not_frozen.message
    loaded = q.check(lambda letters: load("glyphnet", class_names=digits), quiet=True)
    assert not loaded and "instead of loading a new one" in loaded.message
    model = q.check(load("glyphnet", class_names=digits), quiet=True)
    assert not model and "expected a function" in model.message


def test_notebook_04_right_and_wrong_answers():
    q = for_notebook("04")

    def gain(results, shots):
        base = np.mean(results["scratch"][shots])
        return {m: np.mean(r[shots]) - base for m, r in results.items() if m != "scratch"}

    assert q["gain"].check(gain, quiet=True)
    assert not q["gain"].check(lambda r, s: {m: np.mean(v[s]) for m, v in r.items() if m != "scratch"}, quiet=True)
    assert not q["gain"].check(lambda r, s: {m: np.mean(v[s]) - np.mean(r["scratch"][s]) for m, v in r.items()},
                               quiet=True)  # keeps 'scratch' itself
    assert q["when_it_helps"].check("d", quiet=True) and not q["when_it_helps"].check("c", quiet=True)
    assert q["spectrogram_mismatch"].check("c", quiet=True) and not q["spectrogram_mismatch"].check("b", quiet=True)
    assert q["two_per_class"].check(np.float32(0.8), quiet=True) and not q["two_per_class"].check(80, quiet=True)
    assert q["q_holdout"].check("B", quiet=True) and not q["q_holdout"].check("d", quiet=True)
    assert q["q_noise"].check(np.False_, quiet=True) and not q["q_noise"].check(True, quiet=True)
    assert q["q_speech_body"].check("c", quiet=True) and not q["q_speech_body"].check("a", quiet=True)


def test_notebook_05_right_and_wrong_answers():
    q = for_notebook("05")
    assert q["stem_params"].check(864, quiet=True)
    verdict = q["stem_params"].check(896, quiet=True)
    assert not verdict and "bias" in str(verdict)
    assert q["general_layers"].check("a", quiet=True) and not q["general_layers"].check("b", quiet=True)
    assert q["kept_layers"].check(4, quiet=True) and not q["kept_layers"].check(2, quiet=True)
    assert q["twenty_per_class"].check(0.95, quiet=True) and not q["twenty_per_class"].check(0.1, quiet=True)
    assert q["pooled_features"].check(1280, quiet=True)
    assert "7 x 7 x 1280" in q["pooled_features"].check(62_720, quiet=True).message
    assert q["reinitialize"].check("c", quiet=True) and not q["reinitialize"].check("a", quiet=True)
    assert q["edge_detectors"].check("d", quiet=True) and not q["edge_detectors"].check("b", quiet=True)


def test_notebook_08_right_and_wrong_answers():
    from kzoo.course.exercises.nb08 import R_EXAMPLE
    from kzoo.incremental import average_accuracy, forgetting

    q = for_notebook("08")
    assert q["head_units"].check(128 * 12 + 12, quiet=True)
    assert "old 10-way head" in q["head_units"].check(1290, quiet=True).message
    assert q["average_accuracy"].check(average_accuracy(R_EXAMPLE), quiet=True)
    assert "diagonal" in q["average_accuracy"].check(0.96, quiet=True).message
    assert q["forgetting"].check(forgetting(R_EXAMPLE), quiet=True)
    assert not q["forgetting"].check(-0.32, quiet=True)
    assert q["why_naive_forgets"].check("c", quiet=True) and not q["why_naive_forgets"].check("b", quiet=True)
    assert q["small_memory"].check(0.9, quiet=True) and "naive" in q["small_memory"].check(0.0, quiet=True).message
    assert q["upper_bound"].check("b", quiet=True) and not q["upper_bound"].check("d", quiet=True)
    assert q["lwf_needs"].check("d", quiet=True) and not q["lwf_needs"].check("a", quiet=True)
    assert q["backward_transfer"].check(-0.2, quiet=True)
    assert "negative" in q["backward_transfer"].check(0.2, quiet=True).message


def _digit_model():
    from kzoo.freeze import freeze
    from kzoo.heads import swap_head
    from kzoo.zoo.glyphnet import build_glyphnet

    return freeze(swap_head(build_glyphnet(list("ABC")), class_names=[str(d) for d in range(10)]))


def test_notebook_10_right_and_wrong_answers():
    q = for_notebook("10")
    assert q["preset_task_file"].check("task.json", quiet=True) and not q["preset_task_file"].check("config.json", quiet=True)
    assert q["needs_kzoo"].check("c", quiet=True) and not q["needs_kzoo"].check("a", quiet=True)
    assert q["shifted"].check(0.956, quiet=True) and not q["shifted"].check(95.6, quiet=True)
    assert "chance" in q["shifted"].check(0.1, quiet=True).message
    assert q["export_keeps"].check("a", quiet=True) and not q["export_keeps"].check("c", quiet=True)
    assert q["card_file"].check("README.md", quiet=True) and not q["card_file"].check("card.json", quiet=True)
    assert q["not_stated"].check("d", quiet=True) and not q["not_stated"].check("b", quiet=True)


def test_notebook_10_wants_the_saved_folder_not_the_model_in_memory(tmp_path):
    from kzoo import share

    q = for_notebook("10")["save_and_reload"]
    model = _digit_model()
    unsaved = q.check(model, quiet=True)
    assert not unsaved and "saved nowhere" in unsaved.message
    no_metric = share.save_model(model, tmp_path / "no_metric")
    assert "does not state the test accuracy" in q.check(no_metric, quiet=True).message
    card = share.model_card(model, name="digits", metrics={"test accuracy": 0.9})
    assert q.check(share.save_model(model, tmp_path / "shared", card=card), quiet=True)
    assert q.check(str(tmp_path / "shared"), quiet=True)
    assert "holds no README.md" in q.check(tmp_path, quiet=True).message


def test_notebook_02_right_and_wrong_answers():
    q = for_notebook("02")
    assert q["head_params"].check(12810, quiet=True) and q["head_params"].check(np.int64(12810), quiet=True)
    for wrong, why in ((12800, "bias"), (2562, "2-way"), (1281000, "ImageNet")):
        verdict = q["head_params"].check(wrong, quiet=True)
        assert not verdict and why in verdict.message
    assert q["q_flatten_size"].check(128000, quiet=True) and q["q_flatten_size"].check(np.array(128000), quiet=True)
    assert "global average pooling" in q["q_flatten_size"].check(1280, quiet=True).message
    assert not q["q_flatten_size"].check(62720, quiet=True)
    assert q["why_cache"].check("c", quiet=True) and not q["why_cache"].check("b", quiet=True)
    assert q["longer_head"].check(np.array(0.93), quiet=True) and not q["longer_head"].check(93, quiet=True)
    assert q["q_what_trains"].check("c", quiet=True) and not q["q_what_trains"].check("a", quiet=True)
    assert q["q_augment_cache"].check(False, quiet=True) and not q["q_augment_cache"].check(True, quiet=True)
    for right in ((10, 1), [10, 1], np.array([10, 1])):
        assert q["q_passes"].check(right, quiet=True)
    assert "wrong way round" in q["q_passes"].check((1, 10), quiet=True).message
    assert not q["q_passes"].check((10, 10), quiet=True) and not q["q_passes"].check(11, quiet=True)

    def top_losses(logits, labels, k):
        logits = np.asarray(logits, dtype="float64")
        shifted = logits - logits.max(axis=1, keepdims=True)
        loss = np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(len(labels)), labels]
        return np.argsort(-loss)[:k]

    def smallest_losses(logits, labels, k):
        return top_losses(logits, labels, len(labels))[::-1][:k]

    assert q["top_losses"].check(top_losses, quiet=True)
    assert not q["top_losses"].check(smallest_losses, quiet=True)


def test_notebook_03_right_and_wrong_answers():
    q = for_notebook("03")
    assert q["group_lr"].check(1.25e-5, quiet=True)
    assert "top group" in q["group_lr"].check(5e-5, quiet=True).message
    assert q["batchnorm"].check("d", quiet=True) and not q["batchnorm"].check("b", quiet=True)
    assert q["option1_alone"].check(np.float64(0.93), quiet=True) and not q["option1_alone"].check(0.5, quiet=True)
    assert q["q_order"].check("(b)", quiet=True) and not q["q_order"].check("d", quiet=True)
    assert q["q_warmup_start"].check(np.array([0.0]), quiet=True)
    assert "peak" in q["q_warmup_start"].check(1.0, quiet=True).message
    assert q["q_phase1_augment"].check(False, quiet=True) and not q["q_phase1_augment"].check(True, quiet=True)
    assert q["q_smoothed_target"].check(np.float32(0.85), quiet=True)
    assert "1 - label_smoothing" in q["q_smoothed_target"].check(0.8, quiet=True).message
    assert not q["q_smoothed_target"].check(0.05, quiet=True)


def test_notebook_06_right_and_wrong_answers():
    q = for_notebook("06")
    assert q["padding_mask"].check("a", quiet=True) and not q["padding_mask"].check("b", quiet=True)
    assert q["pretraining"].check("(C)", quiet=True)
    assert not any(q["pretraining"].check(wrong, quiet=True) for wrong in "abd")
    assert q["head_params"].check(770, quiet=True) and not q["head_params"].check(768, quiet=True)
    assert q["head_params"].check(np.int64(770), quiet=True)
    assert q["probe_32"].check(np.float32(0.7), quiet=True)
    assert not q["probe_32"].check(70.0, quiet=True) and not q["probe_32"].check(0.5, quiet=True)
    assert q["pairs"].check(640, quiet=True) and not q["pairs"].check(320, quiet=True)
    assert q["unseen_word"].check("d", quiet=True) and not q["unseen_word"].check("a", quiet=True)
    assert q["prompt_or_tune"].check("a", quiet=True) and not q["prompt_or_tune"].check("b", quiet=True)
    assert q["cosine"].check(lambda a, b: float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))),
                             quiet=True)
    assert not q["cosine"].check(lambda a, b: float(np.dot(a, b)), quiet=True)  # not normalised


def test_notebook_07_right_and_wrong_answers():
    q = for_notebook("07")
    assert q["frames"].check(97, quiet=True)
    wrong = q["frames"].check(63, quiet=True)
    assert not wrong and "musicnn" in wrong.message
    assert not q["frames"].check(96, quiet=True) and not q["frames"].check(100, quiet=True)
    assert q["unseen_speaker"].check("b", quiet=True) and not q["unseen_speaker"].check("a", quiet=True)
    assert q["top_tags"].check(lambda probs, tags, k: [tags[i] for i in np.argsort(probs)[::-1][:k]], quiet=True)
    assert not q["top_tags"].check(lambda probs, tags, k: [tags[i] for i in np.argsort(probs)[:k]], quiet=True)
    assert q["two_clips"].check(0.8, quiet=True)
    assert not q["two_clips"].check(80, quiet=True) and not q["two_clips"].check(0.1, quiet=True)
    # the questionnaire
    assert q["negatives"].check(" (A) ", quiet=True)
    assert all(not q["negatives"].check(w, quiet=True) for w in "bcd")
    wrong = q["threshold"].check("a", quiet=True)
    assert not wrong and "fewer segments" in wrong.message and q["threshold"].check("d", quiet=True)
    assert q["head_weights"].check(np.int64(772), quiet=True) and q["head_weights"].check(772.0, quiet=True)
    wrong = q["head_weights"].check(579, quiet=True)
    assert not wrong and "four outputs" in wrong.message
    assert not q["head_weights"].check(768, quiet=True) and not q["head_weights"].check(771, quiet=True)
