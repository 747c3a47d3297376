"""simlab's BernoulliRBM against scikit-learn's on the binarised digits, in one run.

Same data, same hyperparameters (PCD, 64 hidden units, learning rate 0.1, batch 10, 7 epochs):
seconds per epoch, mean exact pseudo-log-likelihood and AIS log-likelihood of the test
digits, both computed the same way for both machines. Run:

    python benchmarks/rbm_vs_sklearn.py [--repeats 5]
"""

import argparse

import numpy as np
from machine import header  # benchmarks/machine.py


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    header("scikit-learn")
    from simlab.models.boltzmann import RBMParameters
    from simlab.samplers.ais import ais_log_partition
    from simlab.samplers.rbm import pseudo_log_likelihood
    from simlab.tasks.common.digits import binary_digits
    from simlab.tasks.rbm_digits import RBMDigitsSettings, train_both

    r = RBMDigitsSettings()
    train, test = binary_digits(r.threshold, r.test_fraction, 0)
    rows = {"simlab": [], "scikit-learn": []}
    for seed in range(args.repeats):
        ours, t_ours, theirs, t_theirs = train_both(train, r, seed)
        sk = RBMParameters(theirs.components_.T.copy(), theirs.intercept_visible_.copy(),
                           theirs.intercept_hidden_.copy())
        for name, params, seconds in (("simlab", ours.params, t_ours),
                                      ("scikit-learn", sk, t_theirs)):
            log_z = ais_log_partition(params, r.ais_runs, r.ais_betas, train, seed).log_z
            ll = np.mean(-params.free_energy(test)) - log_z
            rows[name].append((seconds, pseudo_log_likelihood(params, test).mean(), ll))
    print(f"digits: {train.shape[0]} train, {test.shape[0]} test, 64 visible, "
          f"{r.n_hidden} hidden, {r.n_iter} epochs; mean ± std over {args.repeats} seeds")
    for name, values in rows.items():
        v = np.array(values)
        m, s = v.mean(0), v.std(0, ddof=1)
        print(f"{name:>13}: {1e3 * m[0]:6.2f} ± {1e3 * s[0]:.2f} ms/epoch, test "
              f"pseudo-log-likelihood {m[1]:7.2f} ± {s[1]:.2f}, test log-likelihood (AIS) "
              f"{m[2]:7.2f} ± {s[2]:.2f}")
    ratio = np.mean([a[0] for a in rows["scikit-learn"]]) / np.mean([a[0] for a in rows["simlab"]])
    print(f"time ratio scikit-learn / simlab: {ratio:.2f}")


if __name__ == "__main__":
    main()
