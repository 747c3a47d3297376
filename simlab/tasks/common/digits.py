"""The binarised digits and RBMs trained on them, shared by rbm_digits and
three_way_thermodynamics."""

from dataclasses import dataclass

import numpy as np

from simlab.rng import generator
from simlab.schema import setting


@dataclass
class RBMTraining:
    """The data and how an RBM learns it."""

    n_hidden: int = setting(64, minimum=1, doc="hidden units of the main machine")
    n_hidden_exact: int = setting(16, minimum=1, maximum=20,
                                  doc="hidden units of the machine solved exactly")
    learning_rate: float = setting(0.1, above=0.0, doc="PCD learning rate")
    batch_size: int = setting(10, minimum=1, doc="samples per update")
    n_iter: int = setting(7, minimum=1, doc="epochs")
    threshold: float = setting(8.0, doc="pixels >= threshold (of 16) are on")
    test_fraction: float = setting(0.2, above=0.0, maximum=0.99, doc="share held out")


def binary_digits(threshold, test_fraction, seed):
    """scikit-learn's 8x8 digits, binarised and split into (train, test).

    The split is drawn from ``derive(seed, "digits_split")``.
    """
    from sklearn.datasets import load_digits

    X = (load_digits().data >= threshold).astype(np.float64)
    order = generator(seed, "digits_split").permutation(X.shape[0])
    n_test = int(round(test_fraction * X.shape[0]))
    return X[order[n_test:]], X[order[:n_test]]


def train_rbm(training, X, n_hidden, seed):
    """A :class:`BernoulliRBM` with ``n_hidden`` units trained on X as ``training`` says."""
    # Imported here: scikit-learn takes 0.6 s to import, and every task is imported when
    # the command line starts.
    from simlab.samplers.rbm import BernoulliRBM

    return BernoulliRBM(n_hidden, learning_rate=training.learning_rate,
                        batch_size=training.batch_size, n_iter=training.n_iter,
                        random_state=seed).fit(X)
