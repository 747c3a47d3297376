"""Drawing tokens from next-token distributions at temperature, with seeded Numba streams."""

from dataclasses import dataclass

import numpy as np

from simlab.results import Result
from simlab.rng import stream_states
from simlab.thermo.logits import as_logit_rows, check_logit_rows
from simlab.validation import integer, temperatures


@dataclass
class TokenSamples(Result):
    """Tokens drawn by :func:`sample_from_logits`.

    Attributes
    ----------
    tokens : int64[..., K, S]
        Vocabulary indices per row (the lead shape of the logits), temperature and sample.
    temperatures : float64[K]
    seed : int
    """

    tokens: np.ndarray
    temperatures: np.ndarray
    seed: int

    META = {"token": ("drawn vocabulary index", "1"),
            "row": ("distribution (flattened lead index)", "1"),
            "temperature": ("sampling temperature (softmax of logits / T)", "logit")}

    def to_dataset(self):
        """``token`` with dims (row, temperature, sample); rows flattened from the lead shape."""
        flat = self.tokens.reshape(-1, *self.tokens.shape[-2:])
        return self._dataset(
            {"token": (("row", "temperature", "sample"), flat)},
            {"row": np.arange(flat.shape[0]), "temperature": self.temperatures,
             "sample": np.arange(flat.shape[-1])}, seed=self.seed)


def sample_from_logits(logits, temperature, n_samples, seed=0):
    """Draw token indices from softmax(logits / T).

    Parameters
    ----------
    logits : array_like or torch.Tensor, shape (..., V)
    temperature : float or array_like, shape (K,)
        T >= 0 (T = 0: uniform over the tied maxima; T = inf: uniform over finite logits).
    n_samples : int
    seed : int
        Row r at temperature T uses the stream ``derive(seed, "tokens", r, T)``, so a draw
        depends on the seed, the row and T only.

    Returns
    -------
    TokenSamples
        ``tokens`` has shape (..., K, n_samples), int64.
    """
    from simlab.kernels import softmax as k

    rows, lead = as_logit_rows(logits)
    t = temperatures("temperature", temperature, allow_zero=True, allow_inf=True)
    n_samples = integer("n_samples", n_samples, 1)
    check_logit_rows(rows, lead)
    states = np.concatenate([stream_states(seed, ("tokens", r, float(tk)), 1)
                             for r in range(rows.shape[0]) for tk in t])
    with np.errstate(divide="ignore"):
        inv_t = 1.0 / t
    out = np.empty((rows.shape[0], t.size, n_samples), dtype=np.int64)
    k.sample_tokens(rows, inv_t, states, out)
    return TokenSamples(out.reshape(*lead, t.size, n_samples), t, int(seed))


def draw_next(logits, temperature, states):
    """One token per row from softmax(logits / T_row), each row with its own stream.

    The generation step: row r draws with ``states[r]`` (advanced in place), so a sequence's
    tokens depend on its own stream and logits only, never on the other rows of the batch.

    Parameters
    ----------
    logits : array_like or torch.Tensor, shape (P, V)
    temperature : array_like, shape (P,)
        T >= 0 per row (T = 0: uniform over the tied maxima).
    states : uint64[P, 4]
        xoshiro256** states from :func:`simlab.rng.stream_states`.

    Returns
    -------
    int64[P]
    """
    from simlab.errors import DataError
    from simlab.kernels import softmax as k

    rows, lead = as_logit_rows(logits)
    t = temperatures("temperature", temperature, allow_zero=True, allow_inf=True)
    if t.size != rows.shape[0] or states.shape != (rows.shape[0], 4):
        raise DataError(f"{rows.shape[0]} rows of logits need {rows.shape[0]} temperatures and "
                        f"states of shape ({rows.shape[0]}, 4); got {t.size} and {states.shape}")
    check_logit_rows(rows, lead)
    with np.errstate(divide="ignore"):
        inv_t = 1.0 / t
    out = np.empty(rows.shape[0], dtype=np.int64)
    k.sample_rows(rows, inv_t, states, out)
    return out
