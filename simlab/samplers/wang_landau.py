"""Wang-Landau densities of states, with the 1/t refinement and replica exchange over windows.

:func:`wang_landau` estimates ln g(E) of an Ising or Potts lattice by flat-histogram random
walks (Wang & Landau, Phys. Rev. Lett. 86, 2050, 2001). The modification factor starts at
ln f = 1 and is halved whenever every level the walker knows in its window has been visited
since the last halving and no new level was found in that time; once ln f would fall below 1/t (t the trials per level of the
window) it follows ln f = 1/t (Belardinelli & Pereyra, Phys. Rev. E 75, 046701, 2007), so
the error keeps falling as t^(-1/2) instead of saturating. With ``refinement="halving"`` the
original rule is used: halve when the histogram is flat (every known level at least
``flatness`` times the mean).

With ``windows`` > 1 the energy range is cut into overlapping windows, one walker each, and
neighbouring walkers exchange configurations when both energies lie in the overlap
(replica-exchange Wang-Landau: Vogel, Li, Wuest & Landau, Phys. Rev. Lett. 110, 210603,
2013). The pieces are joined by their mean difference over the central half of each
overlap. Walkers run in
parallel threads, so windows and independent runs use every core; the runs' spread gives
the error of ln g and of everything derived from it.
"""

import time
from dataclasses import dataclass, field

import numba
import numpy as np
from scipy.special import logsumexp
from tqdm.auto import tqdm

from simlab.errors import ConfigError, DataError
from simlab.kernels import wang_landau as kernel
from simlab.models.lattice import IsingLattice, PottsLattice
from simlab.results import Result, mark_missing
from simlab.rng import generator, stream_states, validate_seed
from simlab.samplers.mcmc import describe
from simlab.thermo.spectra import spectrum_thermodynamics
from simlab.validation import choice, integer, number
from simlab.validation import temperatures as validated_temperatures

REFINEMENTS = ("1/t", "halving")


class PerRunThermodynamics:
    """Methods of a density of states held as ``log_g`` (runs, levels): per-run estimates
    of U, C, S, F and of the specific-heat peak, averaged with standard errors over runs.
    Subclasses give ``model``, ``log_g`` and ``_thermodynamics_of(row, temps)`` (totals)."""

    @property
    def reached(self):
        """Levels every run visited, shape (K,), bool."""
        return np.all(np.isfinite(self.log_g), axis=0)

    @property
    def log_g_mean(self):
        """ln g averaged over runs, shape (K,); NaN where a run missed the level."""
        return self.log_g.mean(axis=0)

    @property
    def log_g_err(self):
        """Standard error of ln g over runs, shape (K,); NaN with a single run."""
        runs = self.log_g.shape[0]
        if runs < 2:
            return np.full(self.log_g.shape[1], np.nan)
        return self.log_g.std(axis=0, ddof=1) / np.sqrt(runs)

    def thermodynamics(self, temperatures):
        """U, C, S and F per site at each temperature, mean over runs with standard errors.

        With a restricted range (ln g known up to a constant) S and F carry that constant;
        U and C are exact functionals of the shape of ln g and are meaningful at
        temperatures whose distribution lies inside the range.

        Parameters
        ----------
        temperatures : array_like, shape (T,)

        Returns
        -------
        dict of ndarray, shape (T,)
            ``energy``, ``specific_heat``, ``entropy``, ``free_energy`` and ``<name>_err``
            (NaN with a single run).
        """
        temps = validated_temperatures("temperatures", temperatures)
        n = self.model.n_sites
        per_run = [self._thermodynamics_of(row, temps) for row in self.log_g]
        out = {}
        for name in ("energy", "specific_heat", "entropy", "free_energy"):
            values = np.array([r[name] for r in per_run]) / n
            out[name] = values.mean(axis=0)
            out[name + "_err"] = (values.std(axis=0, ddof=1) / np.sqrt(len(per_run))
                                  if len(per_run) > 1 else np.full(temps.shape, np.nan))
        return out

    def specific_heat_peak(self, bracket):
        """Maximum of C per site within ``bracket`` (T_lo, T_hi), per run.

        Returns
        -------
        dict of float
            ``temperature``, ``specific_heat`` (means over runs) and their ``_err``
            (standard errors over runs; NaN with one run).
        """
        from scipy.optimize import minimize_scalar

        n = self.model.n_sites
        peaks = []
        for row in self.log_g:
            res = minimize_scalar(
                lambda t: -self._thermodynamics_of(row, t)["specific_heat"][0],
                bounds=bracket, method="bounded", options={"xatol": 1e-9})
            peaks.append((res.x, -res.fun / n))
        peaks = np.array(peaks)
        err = (peaks.std(axis=0, ddof=1) / np.sqrt(len(peaks)) if len(peaks) > 1
               else np.full(2, np.nan))
        return {"temperature": float(peaks[:, 0].mean()), "temperature_err": float(err[0]),
                "specific_heat": float(peaks[:, 1].mean()), "specific_heat_err": float(err[1])}


@dataclass
class DensityOfStates(PerRunThermodynamics, Result):
    """ln g(E) from independent Wang-Landau runs.

    Attributes
    ----------
    model : IsingLattice or PottsLattice
    energies : ndarray, shape (K,)
        Every energy level the model's bond sum can take (E in units of J), ground state
        first.
    log_g : ndarray, shape (runs, K)
        ln g(E) per run, normalised so that sum_E g(E) = q^N (with ``energy_range``: 0 at
        the lowest level); NaN at levels a run never visited (levels the lattice cannot
        reach, such as one broken bond, or outside the range).
    windows : ndarray, shape (W, 2), int
        First and last level of each window.
    trials : ndarray, shape (runs, W), int
        Trials of each walker.
    final_ln_f : ndarray, shape (runs, W)
    exchange_acceptance : ndarray, shape (runs, W - 1)
        Accepted fraction of configuration exchanges between neighbouring windows.
    tunnelling_time : ndarray, shape (runs,)
        With ``tunnel``: mean sweeps between a walker's successive passages from one energy
        bound to the other in the multicanonical production run (NaN without passages).
    tunnelling_events : ndarray, shape (runs,), int
        Passages counted.
    refinement, seed, ... : settings
    wall_time : float
    """

    model: object
    energies: np.ndarray
    log_g: np.ndarray
    windows: np.ndarray
    trials: np.ndarray
    final_ln_f: np.ndarray
    exchange_acceptance: np.ndarray
    refinement: str
    seed: int
    tunnelling_time: np.ndarray = None
    tunnelling_events: np.ndarray = None
    wall_time: float = field(default=0.0)

    META = {"log_g": ("ln g(E), density of states normalised to q^N states", "1"),
            "log_g_mean": ("ln g(E) averaged over runs", "1"),
            "log_g_mean_err": ("standard error of ln g(E) over runs", "1"),
            "trials": ("Wang-Landau trials of the walker", "1"),
            "final_ln_f": ("final modification factor ln f", "1"),
            "exchange_acceptance": ("accepted fraction of exchanges with the next window",
                                    "1"),
            "energy_level": ("energy level E", "J"),
            "window": ("energy window", "1"),
            "window_pair": ("pair of neighbouring windows", "1")}

    def _thermodynamics_of(self, log_g, temps):
        keep = self.reached
        return spectrum_thermodynamics(self.energies[keep], temps, log_degeneracy=log_g[keep])

    def to_dataset(self, temperatures=None):
        """ln g per run and averaged (dim ``energy_level``), the walkers' statistics, and if
        ``temperatures`` are given U, C, S, F per site with errors (dim ``temperature``)."""
        runs = np.arange(self.log_g.shape[0])
        data = {"log_g": (("run", "energy_level"), self.log_g),
                "log_g_mean": (("energy_level",), self.log_g_mean),
                "log_g_mean_err": (("energy_level",), self.log_g_err),
                "trials": (("run", "window"), self.trials),
                "final_ln_f": (("run", "window"), self.final_ln_f),
                "exchange_acceptance": (("run", "window_pair"), self.exchange_acceptance)}
        coords = {"run": runs, "energy_level": self.energies,
                  "window": np.arange(self.windows.shape[0]),
                  "window_pair": np.arange(self.windows.shape[0] - 1)}
        if temperatures is not None:
            thermo = self.thermodynamics(temperatures)
            coords["temperature"] = validated_temperatures("temperatures", temperatures)
            data.update({k: (("temperature",), v) for k, v in thermo.items()})
        ds = self._dataset(data, coords, model=describe(self.model),
                           refinement=self.refinement, seed=self.seed,
                           window_levels=self.windows.ravel().tolist(),
                           wall_time_s=self.wall_time)
        if not self.reached.all():
            mark_missing(ds, "log_g_mean", "level never visited: the lattice cannot reach it "
                                           "(or the runs were too short to find it)")
        if len(runs) < 2:
            for name in [v for v in ds.data_vars if v.endswith("_err")]:
                mark_missing(ds, name, "one run: errors come from the spread of several runs")
        return ds


def energy_levels(model):
    """(top, step, energies) of the model's bond sum: level k has b = top - step k and
    E = -J b; ground state first for J > 0."""
    n = model.n_sites
    if isinstance(model, IsingLattice):
        top, step, count = 2 * n, 4, n + 1
    else:
        top, step, count = 2 * n, 1, 2 * n + 1
    b = top - step * np.arange(count)
    return top, step, -model.coupling * b.astype(np.float64)


def window_bounds(n_levels, windows, overlap):
    """First and last level of ``windows`` equal windows covering 0 .. n_levels - 1, each
    sharing the fraction ``overlap`` of its width with the next; shape (W, 2), int."""
    width = n_levels / (1 + (windows - 1) * (1 - overlap))
    starts = np.rint(np.arange(windows) * width * (1 - overlap)).astype(np.int64)
    ends = np.minimum(np.rint(starts + width).astype(np.int64) - 1, n_levels - 1)
    ends[-1] = n_levels - 1
    return np.stack([starts, ends], axis=1)


def wang_landau(model, *, runs=4, windows=1, overlap=0.75, final_ln_f=1e-6,
                refinement="1/t", flatness=0.8, check_every=100, energy_range=None,
                tunnel=None, tunnel_sweeps=10_000, seed=0, progress=False, threads=None):
    """Density of states of an Ising or Potts lattice by Wang-Landau sampling.

    Parameters
    ----------
    model : IsingLattice (no field) or PottsLattice
    runs : int
        Independent runs (own random streams); their spread gives the errors.
    windows : int
        Energy windows per run, one walker each, exchanging configurations (REWL).
    overlap : float
        Fraction of a window's width shared with the next, in (0, 1); Vogel et al. use 0.75.
    final_ln_f : float
        Stop when ln f is at or below this (in the 1/t stage: after levels / final_ln_f
        trials per walker).
    refinement : {"1/t", "halving"}
    flatness : float
        With "halving": every known level's histogram at least this times the mean.
    check_every : int
        Sweeps (N trials) between histogram checks and exchanges (at least 2^17 trials).
    energy_range : (float, float), optional
        Energies per site E/N the walk is restricted to (all levels if omitted). ln g is
        then normalised only up to a constant (set to 0 at the lowest level reached).
    tunnel : (float, float), optional
        Energies per site e_low < e_high: with one window, after ln g has converged, every
        walker samples the multicanonical ensemble (weights 1/g, ln g fixed) for
        ``tunnel_sweeps`` sweeps, and the passages from E/N <= e_low to E/N >= e_high and
        back are timed, checked after every sweep.
    tunnel_sweeps : int
        Sweeps of that production run.
    seed : int
        Walker w of run r uses the stream ``derive(seed, "WangLandau", model, r, w)`` and
        the exchanges of run r ``derive(seed, "WangLandau exchange", model, r)``.
    progress : bool
    threads : int, optional

    Returns
    -------
    DensityOfStates
    """
    start = time.perf_counter()
    if not isinstance(model, (IsingLattice, PottsLattice)):
        raise ConfigError("model", type(model).__name__, "an IsingLattice or PottsLattice")
    if model.field != 0:
        raise ConfigError("field", model.field, "0 (the energy levels are bond sums)")
    runs = integer("runs", runs, 1)
    windows = integer("windows", windows, 1)
    overlap = number("overlap", overlap)
    if not 0 < overlap < 1:
        raise ConfigError("overlap", overlap, "a fraction strictly between 0 and 1")
    final_ln_f = number("final_ln_f", final_ln_f)
    if not 0 < final_ln_f < 1:
        raise ConfigError("final_ln_f", final_ln_f, "a number in (0, 1)")
    refinement = choice("refinement", refinement, REFINEMENTS)
    flatness = number("flatness", flatness)
    if not 0 < flatness < 1:
        raise ConfigError("flatness", flatness, "a fraction strictly between 0 and 1")
    check_every = integer("check_every", check_every, 1)
    seed = validate_seed(seed)
    if threads is not None:
        numba.set_num_threads(min(integer("threads", threads, 1), numba.config.NUMBA_NUM_THREADS))

    top, step, energies = energy_levels(model)
    n_levels = energies.size
    first, last = 0, n_levels - 1
    if energy_range is not None:
        lo_e, hi_e = (number("energy_range", x) for x in energy_range)
        inside = np.flatnonzero((energies / model.n_sites >= lo_e)
                                & (energies / model.n_sites <= hi_e))
        if inside.size < 3:
            raise ConfigError("energy_range", list(energy_range),
                              "an interval of E/N holding 3 energy levels at least")
        first, last = int(inside.min()), int(inside.max())
    if tunnel is not None and windows != 1:
        raise ConfigError("tunnel", list(tunnel), "unset unless windows = 1")
    tunnel_sweeps = integer("tunnel_sweeps", tunnel_sweeps, 1)
    bounds = first + window_bounds(last - first + 1, windows, overlap)
    if windows > 1 and np.any(bounds[1:, 0] + 2 > bounds[:-1, 1]):
        raise ConfigError("windows", windows, f"few enough that neighbouring windows of the "
                                              f"{n_levels} levels overlap by 3 levels at least")
    ising = isinstance(model, IsingLattice)
    q = 2 if ising else model.q
    n_walkers = runs * windows
    key = ("WangLandau", *model.seed_key)
    states = np.concatenate([stream_states(seed, (*key, r), windows) for r in range(runs)])
    exchange_rngs = [generator(seed, "WangLandau exchange", *model.seed_key, r)
                     for r in range(runs)]
    lo = np.tile(bounds[:, 0], runs)
    hi = np.tile(bounds[:, 1], runs)
    levels = (hi - lo + 1).astype(np.float64)

    spins = np.full((n_walkers, model.n_sites), 1 if ising else 0, dtype=np.int8)
    bond = np.full(n_walkers, top, dtype=np.int64)
    for w in range(n_walkers):
        bond[w], ok = kernel.enter_window(spins[w], model.neighbours, ising, q, bond[w], top,
                                          step, lo[w], hi[w], 10_000 * model.n_sites,
                                          states[w])
        if not ok:
            raise DataError(f"walker {w % windows} could not reach its energy window "
                            f"(levels {lo[w]}..{hi[w]}); use fewer windows")
    ln_g = np.zeros((n_walkers, n_levels))
    histogram = np.zeros((n_walkers, n_levels), dtype=np.int64)
    seen = np.zeros((n_walkers, n_levels), dtype=bool)
    ln_f = np.ones(n_walkers)
    one_over_t = np.zeros(n_walkers, dtype=bool)
    trials = np.zeros(n_walkers, dtype=np.int64)
    accepted = np.zeros((runs, max(windows - 1, 0)))
    attempted = np.zeros((runs, max(windows - 1, 0)))
    chunk = max(check_every * model.n_sites, 1 << 17)   # trials between checks
    known_at_reset = np.zeros(n_walkers, dtype=np.int64)
    in_window = (np.arange(n_levels)[None, :] >= lo[:, None]) & \
                (np.arange(n_levels)[None, :] <= hi[:, None])

    bar = tqdm(disable=not progress, total=int(np.ceil(np.log10(1 / final_ln_f) * 100)),
               desc=f"Wang-Landau {describe(model)}", leave=False)
    shown = 0
    while True:
        active = ~((ln_f <= final_ln_f) & (one_over_t | (refinement == "halving")))
        if not active.any():
            break
        n_steps = np.where(active, chunk, 0).astype(np.int64)
        kernel.run_walkers(spins, model.neighbours, ising, q, bond, top, step, lo, hi, ln_g,
                           histogram, ln_f, one_over_t, levels, trials, n_steps, states)
        refine(active, histogram, seen, in_window, known_at_reset, ln_f, one_over_t, levels,
               trials, refinement, flatness)
        for r in range(runs):
            _exchange(r, windows, spins, bond, ln_g, active, top, step, lo, hi,
                      exchange_rngs[r], accepted, attempted)
        progress_now = int(100 * np.log10(1 / max(ln_f.max(), final_ln_f)))
        bar.update(max(0, progress_now - shown))
        shown = max(shown, progress_now)
    bar.close()
    passages = [[] for _ in range(n_walkers)]
    if tunnel is not None:
        passages = _tunnelling(model, ising, q, spins, bond, top, step, lo, hi, ln_g, levels,
                               states, energies, tunnel, tunnel_sweeps)

    log_g = np.full((runs, n_levels), np.nan)
    for r in range(runs):
        pieces = [(ln_g[r * windows + w], seen[r * windows + w] & in_window[r * windows + w])
                  for w in range(windows)]
        log_g[r] = _join(pieces)
        valid = np.isfinite(log_g[r])
        if energy_range is None:
            log_g[r] += model.n_sites * np.log(q) - logsumexp(log_g[r, valid])
        else:
            log_g[r] -= log_g[r, np.flatnonzero(valid)[0]]
    with np.errstate(invalid="ignore", divide="ignore"):
        acceptance = np.where(attempted > 0, accepted / np.maximum(attempted, 1), np.nan)
    return DensityOfStates(
        model=model, energies=energies, log_g=log_g, windows=bounds,
        trials=trials.reshape(runs, windows), final_ln_f=ln_f.reshape(runs, windows),
        exchange_acceptance=acceptance, refinement=refinement, seed=seed,
        tunnelling_time=np.array([np.mean(p) if p else np.nan for p in passages]),
        tunnelling_events=np.array([len(p) for p in passages]),
        wall_time=time.perf_counter() - start)


def refine(active, histogram, seen, in_window, known_at_reset, ln_f, one_over_t, levels,
           trials, refinement, flatness):
    """End the stages that are done, for every active walker not yet in the 1/t stage.

    A stage ends when every level the walker knows in its window has been visited since the
    last reset (``"halving"``: every such level at least ``flatness`` times the mean) and no
    new level was found in the meantime; ln f is then halved and the histogram reset. Under
    ``"1/t"`` the walker enters the 1/t stage once ln f <= levels / trials. Arrays are per
    walker (rows of ``histogram``, ``seen`` and ``in_window``) and updated in place.
    """
    seen |= histogram > 0
    known_now = (seen & in_window).sum(axis=1)
    for w in np.flatnonzero(active & ~one_over_t):
        if known_now[w] != known_at_reset[w]:
            # New levels found: the stage starts again (ln f unchanged). Early on a walker
            # knows only a few levels, all visited at once; halving then would end the
            # exploration long before the window is covered.
            known_at_reset[w] = known_now[w]
            histogram[w] = 0
            continue
        h = histogram[w, seen[w] & in_window[w]]
        done = (h.min() >= flatness * h.mean()) if refinement == "halving" else h.min() > 0
        if done:
            ln_f[w] /= 2
            histogram[w] = 0
            if refinement == "1/t" and ln_f[w] <= levels[w] / trials[w]:
                one_over_t[w] = True
                ln_f[w] = levels[w] / trials[w]


def _tunnelling(model, ising, q, spins, bond, top, step, lo, hi, ln_g, levels, states,
                energies, tunnel, sweeps):
    """Multicanonical sweeps with ln g fixed; per walker, the sweeps between successive
    passages from one side of ``tunnel`` to the other."""
    n_walkers = spins.shape[0]
    no_update = np.zeros(n_walkers)
    fixed = np.zeros(n_walkers, dtype=bool)
    counts = np.zeros(ln_g.shape, dtype=np.int64)
    trials = np.ones(n_walkers, dtype=np.int64)
    steps = np.full(n_walkers, model.n_sites, dtype=np.int64)
    side = np.zeros(n_walkers, dtype=np.int64)         # -1 ordered side, +1 disordered
    last = np.zeros(n_walkers, dtype=np.int64)
    passages = [[] for _ in range(n_walkers)]
    for sweep in range(1, sweeps + 1):
        kernel.run_walkers(spins, model.neighbours, ising, q, bond, top, step, lo, hi, ln_g,
                           counts, no_update, fixed, levels, trials, steps, states)
        e = energies[(top - bond) // step] / model.n_sites
        now = np.where(e <= tunnel[0], -1, np.where(e >= tunnel[1], 1, 0))
        crossed = (now != 0) & (now != side)
        for w in np.flatnonzero(crossed & (side != 0)):
            passages[w].append(sweep - last[w])
        side[crossed] = now[crossed]
        last[crossed] = sweep
    return passages


def _exchange(run, windows, spins, bond, ln_g, active, top, step, lo, hi, rng, accepted,
              attempted):
    """Try exchanges between neighbouring windows of one run (even pairs, then odd pairs)."""
    base = run * windows
    for parity in (0, 1):
        for i in range(parity, windows - 1, 2):
            a, b = base + i, base + i + 1
            if not (active[a] and active[b]):
                continue
            ka = (top - bond[a]) // step
            kb = (top - bond[b]) // step
            if not (lo[b] <= ka <= hi[b] and lo[a] <= kb <= hi[a]):
                continue
            attempted[run, i] += 1
            log_ratio = ln_g[a, ka] - ln_g[a, kb] + ln_g[b, kb] - ln_g[b, ka]
            if log_ratio >= 0 or rng.random() < np.exp(log_ratio):
                accepted[run, i] += 1
                spins[[a, b]] = spins[[b, a]]
                bond[[a, b]] = bond[[b, a]]


def _join(pieces):
    """Join window estimates of ln g: shift each window by its mean difference from the
    joined part over the central half of their overlap, and switch at the overlap's middle.

    The central half keeps away from window edges, where the estimates converge last; the
    mean over many levels keeps the shift from resting on one level's noise (matching the
    slope d ln g / dE at a single level did, and now and then joined a run badly).
    """
    first, valid = pieces[0]
    joined = np.where(valid, first, np.nan)
    for values, valid in pieces[1:]:
        both = np.flatnonzero(np.isfinite(joined) & valid)
        if both.size < 2:
            raise DataError("neighbouring Wang-Landau windows share fewer than 2 visited "
                            "levels; use a larger overlap or fewer windows")
        quarter = (both[-1] - both[0]) / 4.0
        central = both[(both >= both[0] + quarter) & (both <= both[-1] - quarter)]
        if central.size == 0:
            central = both
        shift = np.mean(joined[central] - values[central])
        junction = central[central.size // 2]
        right = np.arange(joined.size) > junction
        joined = np.where(right, np.where(valid, values + shift, np.nan), joined)
    return joined
