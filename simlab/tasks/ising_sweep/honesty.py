"""What the grid and the data can support: the rules that turn a number into NaN with a reason.

- **Error bars** need blocks longer than the correlations and enough of them: an error is
  withheld (NaN) where a block is shorter than :data:`MIN_BLOCKS_PER_TAU` integrated
  autocorrelation times; a z-score needs at least :data:`MIN_POOLED_BLOCKS` blocks (the
  jackknife error then has as many degrees of freedom, so |z| > 6 has a chance below 1e-4),
  at least :data:`MIN_EFFECTIVE_SAMPLES` independent samples (chains x sweeps / tau; fewer
  leave the estimate of C, a variance, too skewed for a Gaussian z), at least
  :data:`MIN_EXCITED_SAMPLES` samples away from the most common energy (a nearly frozen
  lattice, a 2 x 2 torus at T = 1.2 say, moves by rare excitations whose block means are
  Poisson counts, not Gaussian) and a non-zero error (zero variance means the chains did
  not move).
- **The entropy integral** of C/T from T = infinity needs a grid that resolves C(T): at least
  :data:`MIN_ENTROPY_POINTS` temperatures, no step in f = C T between neighbouring points
  larger than :data:`MAX_ENTROPY_JUMP` of its maximum, the largest C not at the hottest
  point (the peak would then lie beyond it, unsampled), and, where the peak was located by
  reweighting, a peak no more than :data:`MAX_PEAK_EXCESS` above the largest sampled C (else
  the grid stepped over it). Measured on Kaufman's exact C for L = 2 to 16 on 3,000 random
  grids: where these hold, the integral's true error stayed below 5 times its quadrature
  estimate plus 1e-3; the default grid passes for L = 2 to 64.
- **The specific-heat peak** needs two temperatures or more, an energy that fluctuates
  (3 levels or more sampled) where C is largest, a maximum inside the grid, and energy
  histograms that reach the window searched: within it the mean energy may move by at most
  2 standard deviations of the reweighted histogram, judged by sigma_E |1/T - 1/T_0| and by
  half the measured energy difference to each neighbouring temperature.
"""

import numpy as np

from simlab import thermo

MIN_BLOCKS_PER_TAU = 5.0
MIN_POOLED_BLOCKS = 16
MIN_EFFECTIVE_SAMPLES = 500
MIN_EXCITED_SAMPLES = 100
MIN_ENTROPY_POINTS = 5
MAX_ENTROPY_JUMP = 0.25
MAX_PEAK_EXCESS = 0.10
MAX_REWEIGHT = 2.0

#: The error variables withheld with each autocorrelation time.
_ERRORS_BY_TAU = {"tau_energy": ("energy", "specific_heat"),
                  "tau_abs_magnetization": ("abs_magnetization", "susceptibility", "binder")}


def _note(reasons, name, reason):
    reasons[name] = reason if name not in reasons or reasons[name] == reason \
        else f"{reasons[name]}; {reason}"


def withhold_unreliable_errors(est, block_length, pooled_blocks, reasons):
    """Set errors to NaN where blocks are shorter than MIN_BLOCKS_PER_TAU * tau (in place)."""
    for tau_name, names in _ERRORS_BY_TAU.items():
        tau = est[tau_name]  # NaN for a constant series: zero variance, handled by z_score
        short = np.isfinite(tau) & ~(block_length >= MIN_BLOCKS_PER_TAU * tau)
        if short.any():
            for name in names:
                est[name + "_err"] = np.where(short, np.nan, est[name + "_err"])
                _note(reasons, name + "_err", f"blocks of {block_length} sweeps are shorter "
                      f"than {MIN_BLOCKS_PER_TAU:g} autocorrelation times at some temperatures "
                      "(raise sampler.sweeps or lower sampler.blocks)")
    if pooled_blocks < MIN_POOLED_BLOCKS:
        reasons["_few_blocks"] = (f"{pooled_blocks} blocks (chains x blocks) are fewer than "
                                  f"{MIN_POOLED_BLOCKS}: errors too uncertain for z-scores")


def effective_samples(est, chains, sweeps):
    """Independent samples per temperature, chains * sweeps / tau (inf for a frozen series)."""
    tau = est["tau_energy"]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isfinite(tau), chains * sweeps / tau, np.inf)


def excited_samples(energy):
    """Per temperature, the samples (chains x sweeps) whose energy is not the median one.

    Where more than half the samples share one energy (the only case the rule is about: a
    nearly frozen lattice), the median is that most common energy; otherwise the count is
    above half the samples, far above :data:`MIN_EXCITED_SAMPLES`. A median is found in
    linear time, where counting every energy level would sort the samples.

    Parameters
    ----------
    energy : array, shape (T, ...)
    """
    flat = np.asarray(energy).reshape(np.shape(energy)[0], -1)
    median = np.median(flat, axis=1, keepdims=True)
    return np.count_nonzero(flat != median, axis=1)


def z_score(name, value, exact, error, reasons, n_eff, excited=None):
    """(value - exact) / error, NaN with a reason where the error cannot support it.

    ``n_eff`` is the number of independent samples behind each value (see
    :func:`effective_samples`; the smallest over the grid for the entropy integral);
    ``excited`` the samples away from the most common energy (:func:`excited_samples`;
    the smallest over the grid likewise), None to skip that rule.
    """
    value, exact, error = (np.asarray(x, dtype=np.float64) for x in (value, exact, error))
    z_name = name + "_z"
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (value - exact) / error
    if "_few_blocks" in reasons:
        _note(reasons, z_name, reasons["_few_blocks"])
        return np.full_like(z, np.nan)
    few = np.broadcast_to(np.asarray(n_eff) < MIN_EFFECTIVE_SAMPLES, z.shape)
    if np.any(few):
        _note(reasons, z_name, f"fewer than {MIN_EFFECTIVE_SAMPLES} independent samples "
              "(chains x sweeps / tau): the estimate is too skewed for a Gaussian z-score")
        z = np.where(few, np.nan, z)
    zero = error == 0
    if np.any(zero):
        _note(reasons, z_name, "zero variance: the chains did not move (frozen), no error bar")
        z = np.where(zero, np.nan, z)
    rare = np.zeros(z.shape, dtype=bool)
    if excited is not None:
        rare = np.broadcast_to(np.asarray(excited) < MIN_EXCITED_SAMPLES, z.shape) & ~zero
        if np.any(rare):
            _note(reasons, z_name, f"fewer than {MIN_EXCITED_SAMPLES} samples away from the "
                  "most common energy: rare excitations make the error bar unreliable")
            z = np.where(rare, np.nan, z)
    missing = ~np.isfinite(z) & ~zero & ~few & ~rare
    if np.any(missing):
        _note(reasons, z_name, f"no value or no error for {name} where the grid or the data "
              f"cannot support it (see the reasons on {name} and {name}_err)")
    return z


def entropy_if_supported(temps, est, reasons):
    """S by integrating C/T from T = infinity, or NaN with the reason (see module docstring)."""
    c, c_err = est["specific_heat"], est["specific_heat_err"]
    why = None
    if temps.size < MIN_ENTROPY_POINTS:
        why = (f"{temps.size} temperature(s): the entropy integral needs at least "
               f"{MIN_ENTROPY_POINTS}")
    elif not np.all(np.isfinite(c)):
        why = "the specific heat is not finite at every temperature"
    else:
        order = np.argsort(1.0 / temps)
        f = np.concatenate([[0.0], c[order] * temps[order]])
        if np.max(np.abs(np.diff(f))) > MAX_ENTROPY_JUMP * f.max():
            why = (f"the grid does not resolve C(T): C T changes by more than "
                   f"{MAX_ENTROPY_JUMP:.0%} of its maximum between neighbouring temperatures")
        elif np.argmax(c) == np.argmax(temps):
            why = "C(T) is largest at the hottest temperature: its peak lies beyond the grid"
    if why is not None:
        for name in ("entropy", "entropy_err", "entropy_quadrature_err", "free_energy",
                     "free_energy_err"):
            _note(reasons, name, why)
        nan = np.full(temps.size, np.nan)
        return {"entropy": nan, "entropy_err": nan.copy(), "entropy_quadrature_err": nan.copy()}
    err = np.where(np.isfinite(c_err), c_err, 0.0)
    out = thermo.entropy_by_integration(temps, c, err)
    if not np.all(np.isfinite(c_err)):
        out["entropy_err"] = np.full(temps.size, np.nan)
        _note(reasons, "entropy_err", "the specific heat has no error at some temperature")
    return out


def check_entropy_resolves_peak(est, peak, reasons):
    """Withhold S and F if the located peak stands well above every sampled C (in place)."""
    if peak["specific_heat"] > (1.0 + MAX_PEAK_EXCESS) * np.nanmax(est["specific_heat"]):
        why = (f"the reweighted peak of C is more than {MAX_PEAK_EXCESS:.0%} above the largest "
               "sampled value: the grid steps over the peak")
        for name in ("entropy", "entropy_err", "entropy_quadrature_err", "free_energy",
                     "free_energy_err"):
            est[name] = np.full_like(est[name], np.nan)
            _note(reasons, name, why)


def _nan_peak(reasons, why):
    for name in ("peak_temperature", "peak_temperature_err", "peak_specific_heat",
                 "peak_specific_heat_err"):
        _note(reasons, name, why)
    return {"temperature": np.nan, "temperature_err": np.nan, "specific_heat": np.nan,
            "specific_heat_err": np.nan}


def reweighted_peak(energy, temps, c_values, n_sites, blocks, reasons, errors_ok=None):
    """The reweighted maximum of C near the grid maximum, moving along the grid if needed.

    The window around grid point k reaches half way to its neighbours (half a spacing past
    the ends of the grid). Returns NaN values with a reason when the grid cannot support
    the search (see the module docstring); ``errors_ok`` (bool per temperature) withholds
    the peak's errors where the blocks are too short for independent block means.
    """
    if temps.size < 2:
        return _nan_peak(reasons, "one temperature: no peak search")
    if not np.any(np.isfinite(c_values)):
        return _nan_peak(reasons, "no finite specific heat")
    k = int(np.nanargmax(c_values))
    if np.unique(energy[k]).size < 3:
        return _nan_peak(reasons, "the energy hardly fluctuates where C is largest (fewer than "
                         "3 energy levels sampled): nothing to reweight")
    for _ in range(len(temps)):
        lo = temps[0] - 0.5 * (temps[1] - temps[0]) if k == 0 else 0.5 * (temps[k - 1] + temps[k])
        hi = (temps[-1] + 0.5 * (temps[-1] - temps[-2]) if k == len(temps) - 1
              else 0.5 * (temps[k] + temps[k + 1]))
        lo = max(lo, 0.5 * temps[k])
        peak = thermo.specific_heat_peak(energy[k], temps[k], (lo, hi), n_sites, blocks)
        if not peak["at_edge"]:
            break
        step = -1 if peak["temperature"] - lo < hi - peak["temperature"] else 1
        if not 0 <= k + step < len(temps):
            break
        k += step
    if peak["at_edge"]:
        return _nan_peak(reasons, "C(T) is largest at an end of the grid: the peak lies outside")
    sigma_e = np.std(energy[k])
    reach = sigma_e * max(abs(1.0 / lo - 1.0 / temps[k]), abs(1.0 / hi - 1.0 / temps[k]))
    # Half way to a neighbour the mean energy moves by half the measured difference; it must
    # stay within MAX_REWEIGHT standard deviations of the histogram being reweighted.
    neighbours = [j for j in (k - 1, k + 1) if 0 <= j < len(temps)]
    shift = max((abs(np.mean(energy[j]) - np.mean(energy[k])) / 2 for j in neighbours),
                default=0.0) / max(sigma_e, 1e-300)
    if not max(reach, shift) <= MAX_REWEIGHT:
        return _nan_peak(reasons, f"the grid is too coarse near the peak for reweighting "
                         f"(the energy moves {max(reach, shift):.2g} standard deviations "
                         f"within the window, more than {MAX_REWEIGHT:g})")
    if errors_ok is not None and not errors_ok[k]:
        peak = dict(peak, temperature_err=np.nan, specific_heat_err=np.nan)
        for name in ("peak_temperature_err", "peak_specific_heat_err"):
            _note(reasons, name, "blocks shorter than 5 autocorrelation times where C is "
                  "largest: no independent blocks for the jackknife")
    if not np.isfinite(peak["temperature_err"]) or peak["temperature_err"] == 0:
        _note(reasons, "peak_temperature_z", "the peak's jackknife error is zero or undefined")
    return peak
