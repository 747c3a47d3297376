"""Word classes: spaCy's pinned model, the rule-based mapping, and tokens mapped to classes.

The spaCy tests need the ``nlp`` extra (the README's test command installs it); they are
skipped only when SIMLAB_SKIP_NLP=1 is set, never silently.
"""

import os

import numpy as np
import pytest

from simlab.errors import ConfigError
from simlab.llm import corpus, wordclasses

needs_spacy = pytest.mark.skipif(os.environ.get("SIMLAB_SKIP_NLP") == "1",
                                 reason="SIMLAB_SKIP_NLP=1")

SENTENCES = ["The cat sat on the mat.", "Alice quickly wrote three letters to Bob in Paris.",
             "She will not go there because it is raining!"]


@needs_spacy
def test_spacy_tags_a_few_sentences_as_en_core_web_sm_does():
    tagger = wordclasses.SpacyTagger()
    tagged = tagger.tag(SENTENCES)
    first = dict(zip(*[tagged[0][0], [wordclasses.CLASSES[t] for t in tagged[0][1]]]))
    assert first == {"The": "DET", "cat": "NOUN", "sat": "VERB", "on": "ADP", "the": "DET",
                     "mat": "NOUN", ".": "PUNCT"}
    second = [wordclasses.CLASSES[t] for t in tagged[1][1]]
    assert second[0] == "PROPN" and second[-2] == "PROPN"  # Alice, Paris
    assert second[1] == "ADV" and second[3] == "NUM"        # quickly, three
    third = [wordclasses.CLASSES[t] for t in tagged[2][1]]
    assert third[:4] == ["PRON", "AUX", "PART", "VERB"]     # She will not go
    assert tagger.name == "spacy en_core_web_sm 3.8.0"


def test_rule_tagger_is_deterministic_and_tags_closed_classes():
    tagger = wordclasses.RuleTagger()
    text = corpus.default_text()[:20_000]
    a, b = tagger.tag([text])[0], tagger.tag([text])[0]
    assert a[0] == b[0] and np.array_equal(a[1], b[1])
    words, tags = tagger.tag(["The cat sat on the mat with Alice.\n\nIt was 42 km away!"])[0]
    named = [wordclasses.CLASSES[t] for t in tags]
    assert named == ["DET", "NOUN", "NOUN", "ADP", "DET", "NOUN", "ADP", "PROPN", "PUNCT",
                     "SPACE", "PRON", "AUX", "NUM", "NOUN", "NOUN", "PUNCT"]  # "away": no rule
    assert words[9] == "\n\n"


def _tokens_of_corpus():
    """The default corpus cut into token-like pieces (word runs, spaces, single symbols); the
    model's own tokens are covered by tests/llm/test_generation.py."""
    import re

    text = corpus.default_text()
    return [m.group(0) for m in re.finditer(r"\s+|\w+|[^\w\s]", text)]


@pytest.mark.parametrize("kind", ["rules", pytest.param("spacy", marks=needs_spacy)])
def test_every_token_of_the_default_corpus_gets_one_class(kind):
    tagger = wordclasses.tagger(kind)
    pieces = _tokens_of_corpus()[:30_000]
    chunks = [pieces[i:i + 3000] for i in range(0, len(pieces), 3000)]
    by_token, by_word = wordclasses.token_classes(chunks, tagger)
    for chunk, classes in zip(chunks, by_token):
        assert classes.shape == (len(chunk),) and classes.dtype == np.int8
        assert classes.min() >= 0 and classes.max() < len(wordclasses.CLASSES)
        space = np.array([not p.strip() for p in chunk])
        assert np.all(classes[space] == wordclasses.INDEX["SPACE"])
    again, _ = wordclasses.token_classes(chunks, tagger)
    assert all(np.array_equal(x, y) for x, y in zip(by_token, again))
    assert sum(len(w) for w in by_word) > 0


def test_a_token_takes_the_class_of_the_word_holding_its_first_character():
    tagger = wordclasses.RuleTagger()
    # "Hel" + "lo" are one word split over two tokens; " world" starts a second word.
    by_token, by_word = wordclasses.token_classes([["Alice", " says", " hel", "lo", " ", "\n"]],
                                                  tagger)
    names = [wordclasses.CLASSES[t] for t in by_token[0]]
    assert names == ["NOUN", "NOUN", "INTJ", "INTJ", "SPACE", "SPACE"]
    assert [wordclasses.CLASSES[t] for t in by_word[0]] == ["NOUN", "NOUN", "INTJ", "SPACE"]


@needs_spacy
def test_the_rules_agree_with_spacy_on_most_words_of_the_default_corpus():
    text = corpus.default_text()[:60_000]
    share, words = wordclasses.agreement([text], wordclasses.SpacyTagger(),
                                         wordclasses.RuleTagger())
    assert words > 8000
    assert 0.72 < share < 0.95  # 80.2% on the whole corpus (experiments/llm_phase_transition)


def test_unknown_tagger_and_missing_model_files_are_refused(monkeypatch):
    with pytest.raises(ConfigError, match="text.tagger='pos'"):
        wordclasses.tagger("pos")
    monkeypatch.setattr(wordclasses, "spacy_available", lambda: False)
    assert isinstance(wordclasses.tagger("auto"), wordclasses.RuleTagger)
    with pytest.raises(Exception, match="nlp extra"):
        wordclasses.tagger("spacy")
