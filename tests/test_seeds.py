"""Seeds are derived by name only: no arithmetic on seeds, and sweeps over seeds share nothing."""

import re
from pathlib import Path

import numpy as np

from simlab import rng
from simlab.tasks.spin_glass_annealing import SpinGlassSettings, families

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "simlab").rglob("*.py")) + sorted((ROOT / "benchmarks").glob("*.py"))

#: A seed-like name on either side of +, -, * or // with something else: seed + k, 1000 * seed.
SEED = r"(?:\b\w*seed\w*\b|\brandom_state\b)"
ARITHMETIC = re.compile(rf"{SEED}\s*(?:\+|-|\*|//)\s*[\w(]|[\w)]\s*(?:\+|\*)\s*{SEED}")


def _code_lines(path):
    """(line number, code) of every line, with strings (docstrings too) and comments blanked."""
    import io
    import tokenize

    lines = path.read_text().splitlines()
    blank = [list(line) for line in lines]
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if tok.type in (tokenize.STRING, tokenize.COMMENT):
            (r0, c0), (r1, c1) = tok.start, tok.end
            for r in range(r0, r1 + 1):
                start = c0 if r == r0 else 0
                stop = c1 if r == r1 else len(blank[r - 1])
                for c in range(start, stop):
                    blank[r - 1][c] = " "
    for number, chars in enumerate(blank, start=1):
        code = "".join(chars)
        if code.strip():
            yield number, code


def test_no_arithmetic_on_seeds_anywhere():
    found = [f"{path.relative_to(ROOT)}:{n}: {code.strip()}" for path in SOURCES
             for n, code in _code_lines(path) if ARITHMETIC.search(code)]
    assert not found, "\n".join(found)


def test_the_scan_catches_what_it_should():
    for bad in ("seed + k", "cfg.seed * 1000 + k", "seed=cfg.seed + 1", "1000 * seed",
                "random_state + 1"):
        assert ARITHMETIC.search(bad), bad
    for fine in ("derive(seed, 'instance', k)", "seed=seed", "n_seeds = len(x)",
                 "int(seed)", "seeds = range(n)"):
        assert not ARITHMETIC.search(fine), fine


def test_only_simlab_rng_builds_seed_sequences_and_generators():
    pattern = re.compile(r"SeedSequence\(|default_rng\(")
    found = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "simlab").rglob("*.py"))
             if path.name != "rng.py" for n, code in _code_lines(path) if pattern.search(code)]
    assert not found, found


def test_derive_is_keyed_by_names_and_matches_the_chain_streams():
    a = rng.sub_seed(0, "instance", "EA2D_L32_pm", 0)
    assert a == rng.sub_seed(0, "instance", "EA2D_L32_pm", 0)
    assert len({rng.sub_seed(s, "instance", "EA2D_L32_pm", k) for s in range(3)
                for k in range(8)}) == 24
    # Chain i of a key is derive(seed, *key, i): one stream per chain, the same in any batch.
    states = rng.stream_states(5, ("IsingLattice", 4, 4, 1.0, 0.0, 2.0), 3)
    assert np.array_equal(states[2], rng.derive(5, "IsingLattice", 4, 4, 1.0, 0.0, 2.0, 2)
                          .generate_state(4, np.uint64))


def _couplings(model):
    return model.edges()[2]


def test_spin_glass_runs_with_seeds_0_and_1_share_no_instance():
    g = SpinGlassSettings(ea_size=8, sk_size=16, instances=8)
    run0, run1 = families(g, 0), families(g, 1)
    for label in run0:
        first = [_couplings(m) for m in run0[label]]
        second = [_couplings(m) for m in run1[label]]
        for a in first:
            assert not any(np.array_equal(a, b) for b in second), label
        # Instances within one run differ from each other too.
        assert len({a.tobytes() for a in first}) == g.instances


def test_a_family_does_not_change_when_the_other_family_does():
    a = families(SpinGlassSettings(ea_size=6, sk_size=16, instances=3), 0)
    b = families(SpinGlassSettings(ea_size=6, sk_size=24, instances=5), 0)
    ea = "EA2D_L6_pm"
    for m, n in zip(a[ea], b[ea]):
        assert np.array_equal(_couplings(m), _couplings(n))
