"""Critical relaxation from the ordered state: the Metropolis dynamic exponent z from how
fast m(t) and e(t) approach equilibrium at T_c on a lattice much larger than the
correlation length reached.

At T_c, on a lattice of side L >> xi(t) ~ t^(1/z), an observable of scaling dimension x
relaxes from the ordered start as O(t) ~ t^(-x/z): the nonequilibrium-relaxation method
(reviewed by N. Ito, Pramana 64, 871, 2005; see also Li, Schuelke & Zheng,
arXiv:cond-mat/9508148). For the 2D Ising model x is exact: beta/nu = 1/8 for the
magnetisation and d - 1/nu = 1 for the energy's distance from equilibrium,
u_L(T_c) - e(t), with u_L from Kaufman's finite-lattice solution. So
z = -x / (slope of ln O against ln t), with no autocorrelation window and no fit over
several sizes.
"""

from dataclasses import dataclass

import numpy as np

from simlab.errors import ConfigError
from simlab.exact.kaufman import kaufman
from simlab.models import IsingLattice
from simlab.rng import sub_seed
from simlab.samplers import sample_lattice
from simlab.schema import setting
from simlab.stats import block_means, jackknife

#: Exact scaling dimensions of the 2D Ising model: beta/nu and d - 1/nu.
SCALING_DIMENSION = {"magnetization": 1.0 / 8.0, "energy": 1.0}


@dataclass
class RelaxationSettings:
    """One Metropolis run from the ordered state at T_c on a large lattice."""

    enabled: bool = setting(True, doc="run the relaxation (about 8 minutes at the defaults)")
    size: int = setting(1024, minimum=4, doc="lattice side L; keep xi(t) << L over the run")
    chains: int = setting(512, minimum=2, doc="independent chains from the ordered state")
    sweeps: int = setting(2000, minimum=10, doc="sweeps recorded from the ordered start")
    fit_min: int = setting(100, minimum=1,
                           doc="first sweep of the power-law fit (skips early corrections)")
    per_decade: int = setting(20, minimum=2, doc="log-spaced times per decade kept and fitted")
    blocks: int = setting(16, minimum=2, doc="chain blocks of the jackknife errors")

    def check(self, key):
        if self.fit_min * 2 > self.sweeps:
            raise ConfigError(f"{key}.fit_min", self.fit_min,
                              f"at most half of {key}.sweeps ({self.sweeps}): the fit needs "
                              f"a factor 2 in time at least")
        if self.blocks > self.chains:
            raise ConfigError(f"{key}.blocks", self.blocks,
                              f"at most {key}.chains ({self.chains})")


def log_times(last, per_decade):
    """Distinct sweep numbers 1..last spaced evenly in ln t, ``per_decade`` per decade.

    Returns
    -------
    ndarray of int64, increasing, starting at 1 and ending at ``last``
    """
    n = int(np.ceil(np.log10(last) * per_decade)) + 1
    return np.unique(np.rint(np.geomspace(1, last, n)).astype(np.int64))


def exponent(block_curves, times, first, dimension):
    """z from O(t) ~ t^(-x/z): the least-squares slope of ln <O> against ln t over
    ``times >= first``, with a bias-corrected jackknife over chain blocks.

    Parameters
    ----------
    block_curves : ndarray, shape (B, n_times)
        <O>(t) of each of B independent blocks of chains; must stay positive.
    times : ndarray, shape (n_times,)
    first : int
    dimension : float
        The scaling dimension x.

    Returns
    -------
    (float, float)
        z and its standard error; NaN if the mean over the blocks (or over all blocks but
        one) is not positive in the window.
    """
    fitted = times >= first
    x = np.log(times[fitted]) - np.log(times[fitted]).mean()

    def z_of(means):
        curve = means["o"][..., fitted]
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.log(np.where(curve > 0, curve, np.nan))
        slope = ((y - y.mean(axis=-1, keepdims=True)) * x).sum(axis=-1) / (x * x).sum()
        return -dimension / slope

    z, err = jackknife(z_of, {"o": np.asarray(block_curves, dtype=np.float64)})
    return float(z), float(err)


def local_exponents(curve, times, dimension, per_step):
    """z between times ``per_step`` apart on the log grid, at their geometric mean.

    Returns
    -------
    (ndarray, ndarray)
        Mid times and z, shape (n_times - per_step,) each.
    """
    lt, lo = np.log(times), np.log(np.where(curve > 0, curve, np.nan))
    slope = (lo[per_step:] - lo[:-per_step]) / (lt[per_step:] - lt[:-per_step])
    return np.sqrt(times[per_step:] * times[:-per_step]), -dimension / slope


def relax(settings, temperature, seed, progress=False):
    """Run the chains from the ordered state and measure m(t), u_L - e(t) and z.

    Parameters
    ----------
    settings : RelaxationSettings
    temperature : float
        T_c of the 2D Ising model (J = 1).
    seed : int
        The run's seed; the chains draw from ``sub_seed(seed, "relaxation")``, keyed apart
        from the equilibrium chains of the same size.

    Returns
    -------
    dict
        ``times`` (n_times,); per-time means and standard errors over the chains of the
        magnetisation per site and of u_L - e(t), the energy per site (J) below its
        equilibrium value (positive from the ordered start); z and
        its jackknife error from each, fitted from ``fit_min`` and from each of
        ``fit_starts`` (``z_<name>_by_start``); u_L; the wall time.
    """
    model = IsingLattice(settings.size)
    run = sample_lattice(model, [temperature], chains=settings.chains, sweeps=settings.sweeps,
                         thermalization=0, algorithm="metropolis", scan="sequential",
                         init="ordered", seed=sub_seed(seed, "relaxation"), progress=progress)
    times = log_times(settings.sweeps, settings.per_decade)
    u_eq = float(kaufman(settings.size, settings.size, temperature)["energy"])
    n = model.n_sites
    curves = {"magnetization": run.magnetization[0][:, times - 1] / n,
              "energy": u_eq - run.energy[0][:, times - 1] / n}
    out = {"times": times, "equilibrium_energy": u_eq, "wall_time": run.wall_time,
           "fit_starts": fit_starts(settings.fit_min, settings.sweeps)}
    for name, per_chain in curves.items():
        out[name] = per_chain.mean(axis=0)
        out[f"{name}_err"] = per_chain.std(axis=0, ddof=1) / np.sqrt(settings.chains)
        blocks = np.moveaxis(block_means(per_chain.T, settings.blocks), -1, 0)
        out[f"z_{name}"], out[f"z_{name}_err"] = exponent(
            blocks, times, settings.fit_min, SCALING_DIMENSION[name])
        by_start = [exponent(blocks, times, start, SCALING_DIMENSION[name])
                    for start in out["fit_starts"]]
        out[f"z_{name}_by_start"], out[f"z_{name}_by_start_err"] = np.array(by_start).T
    return out


def fit_starts(fit_min, sweeps):
    """The fit's first sweep and its neighbours a factor 2 and 4 either side, as long as
    the fit still spans a factor 2 in time: the estimate's dependence on where the
    corrections to scaling are cut off.

    Returns
    -------
    ndarray of int64, increasing, containing ``fit_min``
    """
    starts = np.rint(fit_min * np.array([0.25, 0.5, 1.0, 2.0, 4.0])).astype(np.int64)
    return np.unique(starts[(starts >= 1) & (2 * starts <= sweeps)])
