"""An RBM on scikit-learn's digits: learning, AIS log-likelihood, thermodynamics, vs sklearn.

The 1,797 8x8 digits are binarised (pixel >= ``rbm.threshold`` of 16) and split into train and
test sets. simlab's :class:`~simlab.samplers.rbm.BernoulliRBM` and scikit-learn's
``BernoulliRBM`` learn with the same hyperparameters (PCD, 64 hidden, learning rate 0.1, batch
10, 7 epochs by default). Reported for both: pseudo-likelihood and AIS log-likelihood of train
and test data, and seconds per epoch, timed in the same run. For simlab's machine also C(T),
U(T), S(T) per unit by Monte Carlo, with S from integrating C/T from T = infinity.
"""

import time

import numpy as np
import xarray as xr

from simlab import plots
from simlab.samplers.rbm import BernoulliRBM, ais_log_partition
from simlab.tasks._output import publish

META = {
    "model": ("RBM implementation", "1"), "split": ("data split", "1"),
    "pseudo_likelihood": ("mean pseudo-likelihood per digit", "nats"),
    "log_likelihood": ("mean log-likelihood per digit (AIS ln Z)", "nats"),
    "log_z": ("ln Z by annealed importance sampling", "1"),
    "log_z_err": ("standard error of ln Z", "1"),
    "seconds_per_epoch": ("training wall time per epoch", "s"),
    "temperature": ("temperature T (weights divided by T)", "1"),
    "energy": ("energy per unit U/N of the trained RBM", "1"),
    "specific_heat": ("specific heat per unit C/N", "1"),
    "entropy": ("entropy per unit S/N", "nats"),
    "free_energy": ("free energy per unit F/N", "1"),
    "peak_temperature": ("temperature of the largest measured C/N", "1"),
    "r_hat_energy": ("Gelman-Rubin R-hat of the energy across chains", "1"),
    "tau_energy": ("integrated autocorrelation time of the energy", "sweeps"),
    "small_energy": ("U/N of an RBM with n_hidden_exact hidden units (exact)", "1"),
    "small_specific_heat": ("C/N of an RBM with n_hidden_exact hidden units (exact)", "1"),
    "small_entropy": ("S/N of an RBM with n_hidden_exact hidden units (exact)", "nats"),
}


def exact_machine(train, r, seed):
    """An RBM with ``n_hidden_exact`` hidden units trained like the main one (enumerable)."""
    return BernoulliRBM(r.n_hidden_exact, r.learning_rate, r.batch_size, r.n_iter,
                        random_state=seed).fit(train)


def digits(threshold, test_fraction, seed):
    """Binarised digits split into (train, test)."""
    from sklearn.datasets import load_digits

    X = (load_digits().data >= threshold).astype(np.float64)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(11,)))
    order = rng.permutation(X.shape[0])
    n_test = int(round(test_fraction * X.shape[0]))
    return X[order[n_test:]], X[order[:n_test]]


def train_both(X, r, seed):
    """simlab and scikit-learn RBMs on the same data and hyperparameters, timed."""
    from sklearn.neural_network import BernoulliRBM as SklearnRBM

    ours = BernoulliRBM(r.n_hidden, r.learning_rate, r.batch_size, r.n_iter, random_state=seed)
    start = time.perf_counter()
    ours.fit(X)
    ours_time = (time.perf_counter() - start) / r.n_iter
    theirs = SklearnRBM(n_components=r.n_hidden, learning_rate=r.learning_rate,
                        batch_size=r.batch_size, n_iter=r.n_iter, random_state=seed)
    start = time.perf_counter()
    theirs.fit(X)
    theirs_time = (time.perf_counter() - start) / r.n_iter
    return ours, ours_time, theirs, theirs_time


def temperature_grid(r):
    """Log-spaced temperatures plus a high-T tail for the entropy integral."""
    grid = np.geomspace(r.t_min, r.t_max, r.t_num)
    return np.unique(np.concatenate([grid, r.t_max * np.array([1.5, 2.5, 5.0, 10.0])]))


def run(cfg, output_dir):
    """Train, evaluate and measure; save the Dataset and figure."""
    from simlab.models.boltzmann import RBMParameters

    start = time.perf_counter()
    r = cfg.rbm
    train, test = digits(r.threshold, r.test_fraction, cfg.seed)
    ours, ours_time, theirs, theirs_time = train_both(train, r, cfg.seed)
    sk_params = RBMParameters(theirs.components_.T.copy(), theirs.intercept_visible_.copy(),
                              theirs.intercept_hidden_.copy())
    pl, ll, lz, lz_err = [], [], [], []
    for params, model in ((ours.params, ours), (sk_params, theirs)):
        z, z_err = ais_log_partition(params, r.ais_runs, r.ais_betas, train, cfg.seed)
        lz.append(z)
        lz_err.append(z_err)
        pl.append([model.score_samples(x).mean() for x in (train, test)])
        ll.append([np.mean(-params.free_energy(x)) - z for x in (train, test)])
    t = temperature_grid(r)
    thermo = ours.thermodynamics(t, "mc", chains=r.chains, sweeps=r.sweeps,
                                 thermalization=max(200, r.sweeps // 4), seed=cfg.seed)
    small = exact_machine(train, r, cfg.seed).thermodynamics(t, "exact")
    ds = xr.Dataset(
        {"pseudo_likelihood": (("model", "split"), np.array(pl)),
         "log_likelihood": (("model", "split"), np.array(ll)),
         "log_z": ("model", np.array(lz)), "log_z_err": ("model", np.array(lz_err)),
         "seconds_per_epoch": ("model", np.array([ours_time, theirs_time])),
         **{name: ("temperature", thermo[name]) for name in (
             "energy", "energy_err", "specific_heat", "specific_heat_err", "entropy",
             "entropy_err", "entropy_quadrature_err", "free_energy", "free_energy_err",
             "r_hat_energy", "tau_energy")},
         **{f"small_{name}": ("temperature", small[name]) for name in (
             "energy", "specific_heat", "entropy")},
         "peak_temperature": ((), float(t[np.nanargmax(thermo["specific_heat"])]))},
        coords={"model": ["simlab", "scikit-learn"], "split": ["train", "test"],
                "temperature": t})
    return publish(ds, cfg, start, output_dir, "RBM on binarised digits: simlab vs scikit-learn",
                   META, [(plots.rbm_digits, "rbm_digits.png")], summary,
                    n_train=train.shape[0], n_test=test.shape[0],
                    n_units=train.shape[1] + r.n_hidden, n_hidden=r.n_hidden,
                    n_hidden_exact=r.n_hidden_exact, plot_temperature_max=r.t_max,
                    lowest_mixed_temperature=float(np.nanmin(np.where(
                        np.isfinite(thermo["specific_heat"]), t, np.nan))))


def summary(ds):
    """A table of both models."""
    lines = [f"{'model':>13} {'PL train':>9} {'PL test':>9} {'LL train':>9} {'LL test':>9} "
             f"{'ln Z (AIS)':>16} {'s/epoch':>8}"]
    for m in ds["model"].values:
        d = ds.sel(model=m)
        lines.append(f"{m:>13} {float(d.pseudo_likelihood.sel(split='train')):>9.2f} "
                     f"{float(d.pseudo_likelihood.sel(split='test')):>9.2f} "
                     f"{float(d.log_likelihood.sel(split='train')):>9.2f} "
                     f"{float(d.log_likelihood.sel(split='test')):>9.2f} "
                     f"{float(d.log_z):>9.3f} ± {float(d.log_z_err):<5.3f} "
                     f"{float(d.seconds_per_epoch):>8.4f}")
    k = int(np.nanargmax(ds["specific_heat"].values))
    lines.append(f"simlab RBM ({ds.attrs['n_hidden']} hidden): largest C/N = "
                 f"{float(ds.specific_heat[k]):.3f} ± {float(ds.specific_heat_err[k]):.3f} at "
                 f"T = {float(ds.temperature[k]):.3f}; chains mix (R-hat <= 1.02) down to "
                 f"T = {ds.attrs['lowest_mixed_temperature']:.3f}, values below are not reported")
    j = int(np.argmax(ds["small_specific_heat"].values))
    lines.append(f"exact RBM ({ds.attrs['n_hidden_exact']} hidden): largest C/N on the grid = "
                 f"{float(ds.small_specific_heat[j]):.3f} at T = {float(ds.temperature[j]):.3f}")
    return "\n".join(lines)
