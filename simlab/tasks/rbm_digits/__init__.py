"""An RBM on scikit-learn's digits: learning, AIS log-likelihood, thermodynamics, vs sklearn.

The 1,797 8x8 digits are binarised (pixel >= ``rbm.threshold`` of 16) and split into train and
test sets. simlab's :class:`~simlab.samplers.rbm.BernoulliRBM` and scikit-learn's
``BernoulliRBM`` learn with the same hyperparameters (PCD, 64 hidden, learning rate 0.1, batch
10, 7 epochs by default). Reported for both: the exact pseudo-log-likelihood and the AIS
log-likelihood of train and test data, and seconds per epoch, timed in the same run. For
simlab's machine also C(T), U(T), S(T) per unit by Monte Carlo, with S from integrating C/T
from T = infinity, beside an enumerable machine with ``rbm.n_hidden_exact`` hidden units.
"""

import time
from dataclasses import dataclass

import numpy as np
import xarray as xr

from simlab import results
from simlab.grids import TemperatureGrid
from simlab.models.boltzmann import RBMParameters
from simlab.samplers.progress import progress_bar
from simlab.schema import section, setting
from simlab.tasks import Figure, Task, register
from simlab.tasks.common.digits import RBMTraining, binary_digits, train_rbm
from simlab.tasks.rbm_digits import figures


@dataclass
class RBMDigitsSettings(RBMTraining):
    """Training, AIS and Monte Carlo settings."""

    ais_runs: int = setting(200, minimum=2, doc="AIS runs")
    ais_betas: int = setting(10_000, minimum=2, doc="AIS inverse temperatures")
    chains: int = setting(64, minimum=2, doc="Gibbs chains (or tempering ladders)")
    sweeps: int = setting(2000, minimum=16, doc="recorded Gibbs sweeps per chain")
    thermo_sampler: str = setting("tempering", choices=("tempering", "gibbs"),
                                  doc="replica exchange over the grid, or plain Gibbs chains")


@dataclass
class RBMDigitsConfig:
    """Sections of the rbm_digits task."""

    rbm: RBMDigitsSettings = section(RBMDigitsSettings)
    temperature: TemperatureGrid = section(lambda: TemperatureGrid(
        min=0.15, max=8.0, num=24, spacing="log", tail=4))

    def check(self, key):
        self.temperature.check_positive("temperature")


META = {
    "model": ("RBM implementation", "1"), "split": ("data split", "1"),
    "pseudo_likelihood": ("mean pseudo-log-likelihood per digit (exact, all units)", "nats"),
    "log_likelihood": ("mean log-likelihood per digit (AIS ln Z)", "nats"),
    "log_z": ("ln Z by annealed importance sampling", "1"),
    "log_z_err": ("standard error of ln Z", "1"),
    "seconds_per_epoch": ("training wall time per epoch", "s"),
    "peak_temperature": ("temperature of the largest measured C/N", "1"),
    "small_energy": ("U/N of the RBM with n_hidden_exact hidden units (exact)", "1"),
    "small_specific_heat": ("C/N of the RBM with n_hidden_exact hidden units (exact)", "1"),
    "small_entropy": ("S/N of the RBM with n_hidden_exact hidden units (exact)", "nats"),
    "n_hidden": ("hidden units of the main machine", "1"),
    "n_hidden_exact": ("hidden units of the exactly solved machine", "1"),
    "n_train": ("training digits", "1"), "n_test": ("test digits", "1"),
    "lowest_mixed_temperature": ("lowest T where the Gibbs chains mix (R-hat <= 1.02)", "1"),
    "entropy_tail": ("True for temperatures added only for the entropy integral", "1"),
}


#: what the run does, in order (its progress bar's stages)
STAGES = ("training simlab's RBM", "training scikit-learn's RBM",
          "ln Z of simlab's RBM (AIS)", "ln Z of scikit-learn's RBM (AIS)",
          "thermodynamics of simlab's RBM", "the small RBM, exact")


def train_both(X, r, seed, stage=lambda name: None):
    """simlab and scikit-learn RBMs on the same data and hyperparameters, timed;
    ``stage(name)`` is called as each starts (the progress bar's stages)."""
    from sklearn.neural_network import BernoulliRBM as SklearnRBM

    stage("training simlab's RBM")
    start = time.perf_counter()
    ours = train_rbm(r, X, r.n_hidden, seed)
    ours_time = (time.perf_counter() - start) / r.n_iter
    stage("training scikit-learn's RBM")
    theirs = SklearnRBM(n_components=r.n_hidden, learning_rate=r.learning_rate,
                        batch_size=r.batch_size, n_iter=r.n_iter, random_state=seed)
    start = time.perf_counter()
    theirs.fit(X)
    theirs_time = (time.perf_counter() - start) / r.n_iter
    return ours, ours_time, theirs, theirs_time


def run(params, ctx):
    """Train, evaluate and measure."""
    from simlab.samplers.ais import ais_log_partition  # imported here: see train_rbm
    from simlab.samplers.rbm import pseudo_log_likelihood

    r = params.rbm
    train, test = binary_digits(r.threshold, r.test_fraction, ctx.seed)
    with progress_bar(len(STAGES), STAGES[0], ctx.progress, unit="stage") as bar:
        def stage(name):
            if bar.n < STAGES.index(name):
                bar.update()
            bar.set_description(name)

        ours, ours_time, theirs, theirs_time = train_both(train, r, ctx.seed, stage)
        sk_params = RBMParameters(theirs.components_.T.copy(),
                                  theirs.intercept_visible_.copy(),
                                  theirs.intercept_hidden_.copy())
        pl, ll, lz, lz_err = [], [], [], []
        for name, p in (("simlab", ours.params), ("scikit-learn", sk_params)):
            stage(f"ln Z of {name}'s RBM (AIS)")
            ais = ais_log_partition(p, r.ais_runs, r.ais_betas, train, ctx.seed)
            lz.append(ais.log_z)
            lz_err.append(ais.log_z_err)
            pl.append([pseudo_log_likelihood(p, x).mean() for x in (train, test)])
            ll.append([np.mean(-p.free_energy(x)) - ais.log_z for x in (train, test)])
        t = params.temperature.values()
        method = "tempering" if r.thermo_sampler == "tempering" else "mc"
        stage("thermodynamics of simlab's RBM")
        mc = ours.thermodynamics(t, method, chains=r.chains, sweeps=r.sweeps,
                                 thermalization=max(200, r.sweeps // 4), seed=ctx.seed)
        stage("the small RBM, exact")
        small = train_rbm(r, train, r.n_hidden_exact, ctx.seed).thermodynamics(t, "exact")
        bar.update()
    mixed = np.isfinite(mc["specific_heat"].values)
    ds = xr.Dataset(
        {"pseudo_likelihood": (("model", "split"), np.array(pl)),
         "log_likelihood": (("model", "split"), np.array(ll)),
         "log_z": ("model", np.array(lz)), "log_z_err": ("model", np.array(lz_err)),
         "seconds_per_epoch": ("model", np.array([ours_time, theirs_time])),
         "peak_temperature": ((), float(t[np.nanargmax(mc["specific_heat"].values)])
                              if mixed.any() else np.nan),
         "n_hidden": ((), r.n_hidden), "n_hidden_exact": ((), r.n_hidden_exact),
         "n_train": ((), train.shape[0]), "n_test": ((), test.shape[0]),
         "lowest_mixed_temperature": ((), float(t[mixed].min()) if mixed.any() else np.nan)},
        coords={"model": ["simlab", "scikit-learn"], "split": ["train", "test"],
                "temperature": t})
    ds = ds.merge(mc).assign_coords(
        entropy_tail=("temperature", params.temperature.tail_mask()))
    for name in ("energy", "specific_heat", "entropy"):
        ds["small_" + name] = ("temperature", small[name].values)
    ds.attrs["title"] = "RBM on binarised digits: simlab vs scikit-learn"
    ds.attrs["thermo_sampler"] = r.thermo_sampler
    return results.annotate(ds, META)


TASK = register(Task(
    name="rbm_digits",
    description="an RBM on the digits vs scikit-learn: likelihoods, speed, C(T) and S(T)",
    config=RBMDigitsConfig, run=run,
    figures=(Figure("rbm_digits.png", figures.rbm_digits),), report=figures.summary))
