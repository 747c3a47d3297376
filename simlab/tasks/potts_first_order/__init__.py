"""The first-order transition of the 10-state Potts model: double-peaked energy histograms,
the latent heat and the tunnelling time, from Wang-Landau densities of states.

For each size, ``runs`` independent Wang-Landau walks (1/t refinement, one window over the
energies per site in ``energy_range``) give ln g(E). The canonical distribution
P_T(E) ~ g(E) exp(-E/T) has two peaks near T_c = 1/ln(1 + sqrt 10) = 0.701232; T_eq(L) is
where they are equally high, and the latent heat per site Delta e(L) = e_d(L) - e_o(L) is
the distance between them (peak positions refined by a parabola through the three highest
levels). Delta e(L), e_o(L) and e_d(L) are extrapolated to L -> infinity by weighted fits in
1/L^2 (and 1/L), beside Baxter's exact values (e_o = -1.6642525, e_d = -0.9682031, Delta e = 0.696049).

The peak positions at T_eq(L) move with L as a power of 1/L. The phases' mean energies at the
exact T_c do not: split P_{T_c}(E) at its minimum between the peaks; the mean energy per site
of each side, e_o(T_c, L) and e_d(T_c, L), approaches the infinite-volume value with
corrections exponentially small in L / xi (Borgs & Kotecky, J. Stat. Phys. 61, 79, 1990;
Janke, Phys. Rev. B 47, 14757, 1993), and so does their difference, the latent heat at T_c.
The ratio of the two sides' weights approaches q (q ordered phases, one disordered).

The tunnelling time is the mean number of sweeps between a walker's successive passages
from the ordered side (E/N <= ``tunnel[0]``) to the disordered side (E/N >= ``tunnel[1]``)
or back, in a multicanonical run with the converged weights 1/g(E) (``tunnel_sweeps``
sweeps per walker, after Wang-Landau).
"""

from dataclasses import dataclass
from typing import List

import numpy as np
import xarray as xr

from simlab import results
from simlab.errors import ConfigError
from simlab.models import PottsLattice
from simlab.results import mark_missing
from simlab.samplers.wang_landau import wang_landau
from simlab.schema import section, setting
from simlab.stats import weighted_line
from simlab.tasks import Figure, Task, register
from simlab.tasks.potts_first_order import figures

#: Baxter (J. Phys. C 6, L445, 1973) for q = 10, per site, J = 1.
E_ORDERED = -1.6642525
E_DISORDERED = -0.9682031
LATENT_HEAT = 0.696049


@dataclass
class FirstOrderSettings:
    """The Potts model and the Wang-Landau runs."""

    q: int = setting(10, minimum=5, maximum=127, doc="states per site (first order: q > 4)")
    sizes: List[int] = setting(factory=lambda: [16, 24, 32, 48, 64], minimum=4,
                               doc="linear sizes L")
    runs: int = setting(12, minimum=2, doc="independent Wang-Landau runs per size")
    final_ln_f: float = setting(4e-6, above=0.0, maximum=0.5, doc="stop at this ln f")
    energy_range: List[float] = setting(factory=lambda: [-1.85, -0.75], maximum=0.0,
                                        doc="E/N range of the walk (covers both peaks)")
    tunnel: List[float] = setting(factory=lambda: [-1.55, -1.05], maximum=0.0,
                                  doc="E/N bounds of the ordered and disordered sides")
    tunnel_sweeps: int = setting(300_000, minimum=1,
                                 doc="multicanonical sweeps timing the tunnelling")

    def check(self, key):
        for name in ("energy_range", "tunnel"):
            pair = getattr(self, name)
            if len(pair) != 2 or pair[0] >= pair[1]:
                raise ConfigError(f"{key}.{name}", list(pair), "[low, high] with low < high")
        if not (self.energy_range[0] < self.tunnel[0] and self.tunnel[1]
                < self.energy_range[1]):
            raise ConfigError(f"{key}.tunnel", list(self.tunnel),
                              f"bounds inside {key}.energy_range {list(self.energy_range)}")


@dataclass
class PottsFirstOrderConfig:
    """Sections of the potts_first_order task."""

    potts: FirstOrderSettings = section(FirstOrderSettings)


META = {
    "level": ("energy level index (satisfied bonds 2N - k)", "1"),
    "energy_level": ("energy per site E/N of the level", "J"),
    "log_g": ("ln g(E) up to a constant, mean over runs", "1"),
    "log_g_err": ("standard error of ln g over runs", "1"),
    "log_probability": ("ln P(E) at T_eq(L), highest peak at 0", "1"),
    "equal_height_temperature": ("T_eq(L): the two peaks of P(E) equally high", "J/k_B"),
    "e_ordered": ("ordered peak position e_o(L) at T_eq", "J"),
    "e_disordered": ("disordered peak position e_d(L) at T_eq", "J"),
    "latent_heat": ("Delta e(L) = e_d - e_o at T_eq, per site", "J"),
    "e_ordered_tc": ("mean energy per site of the ordered side of P(E) at T_c", "J"),
    "e_disordered_tc": ("mean energy per site of the disordered side of P(E) at T_c", "J"),
    "latent_heat_tc": ("e_d(T_c) - e_o(T_c): latent heat per site from the phases' means",
                       "J"),
    "weight_ratio_tc": ("weight of the ordered side over the disordered side at T_c "
                        "(-> q)", "1"),
    "tunnelling_time": ("multicanonical sweeps between passages from one side to the other",
                        "sweeps"),
    "tunnelling_events": ("passages counted, all runs", "1"),
    "wall_time": ("wall time of the Wang-Landau runs", "s"),
}


def peaks(energy_per_site, log_p, split):
    """Positions and heights of the two maxima of ln P(E) either side of ``split`` (refined
    by a parabola through the highest level and its neighbours)."""
    out = []
    for side in (energy_per_site < split, energy_per_site >= split):
        e, lp = energy_per_site[side], log_p[side]
        i = int(np.argmax(lp))
        if 0 < i < e.size - 1:
            y0, y1, y2 = lp[i - 1], lp[i], lp[i + 1]
            h = e[i + 1] - e[i]
            denom = y0 - 2 * y1 + y2
            shift = 0.5 * (y0 - y2) / denom if denom < 0 else 0.0
            out.append((e[i] + shift * h, y1 - 0.25 * (y0 - y2) * shift))
        else:
            out.append((e[i], lp[i]))
    return out


def equal_height(energy_per_site, log_g, n_sites, split, bracket):
    """T_eq and the peak positions there, for one run's ln g (NaN if not bracketed)."""
    from scipy.optimize import brentq

    def difference(t):
        (_, h_o), (_, h_d) = peaks(energy_per_site, log_g - n_sites * energy_per_site / t,
                                   split)
        return h_o - h_d

    try:
        t_eq = brentq(difference, *bracket, xtol=1e-12)
    except ValueError:
        return np.nan, np.nan, np.nan
    (e_o, _), (e_d, _) = peaks(energy_per_site, log_g - n_sites * energy_per_site / t_eq,
                               split)
    return t_eq, e_o, e_d


def phase_means(energy_per_site, log_g, n_sites, temperature, tunnel):
    """Mean energy per site of each side of P_T(E) ~ g(E) exp(-E/T), split at the minimum of
    P between the ``tunnel`` bounds, and the ratio of the sides' weights.

    Returns
    -------
    (e_ordered, e_disordered, weight_ratio) : tuple of float
    """
    log_p = log_g - n_sites * energy_per_site / temperature
    log_p = log_p - log_p.max()
    between = (energy_per_site > tunnel[0]) & (energy_per_site < tunnel[1])
    if not between.any():
        return np.nan, np.nan, np.nan
    split = energy_per_site[between][np.argmin(log_p[between])]
    weight = np.exp(log_p)
    ordered = energy_per_site < split
    disordered = ~ordered
    w_o, w_d = weight[ordered].sum(), weight[disordered].sum()
    return (float((energy_per_site[ordered] * weight[ordered]).sum() / w_o),
            float((energy_per_site[disordered] * weight[disordered]).sum() / w_d),
            float(w_o / w_d))


def _mean_err(values):
    """Mean and standard error over runs (axis 0)."""
    values = np.asarray(values, dtype=float)
    return values.mean(axis=0), values.std(axis=0, ddof=1) / np.sqrt(values.shape[0])


def run(params, ctx):
    """ln g, P(E) at T_eq, latent heat and tunnelling time per size; extrapolations."""
    p = params.potts
    sizes = sorted(set(p.sizes))
    t_c = 1.0 / np.log1p(np.sqrt(p.q))
    split = 0.5 * (p.tunnel[0] + p.tunnel[1])
    n_levels = 2 * max(sizes) ** 2 + 1
    rows = []
    for size in sizes:
        model = PottsLattice(size, q=p.q)
        n = model.n_sites
        dos = wang_landau(model, runs=p.runs, final_ln_f=p.final_ln_f,
                          energy_range=tuple(p.energy_range), tunnel=tuple(p.tunnel),
                          tunnel_sweeps=p.tunnel_sweeps, seed=ctx.seed,
                          progress=ctx.progress)
        keep = dos.reached
        e = dos.energies[keep] / n
        per_run = np.array([equal_height(e, row[keep], n, split, (0.9 * t_c, 1.1 * t_c))
                            for row in dos.log_g])
        mean, err = _mean_err(np.column_stack([per_run, per_run[:, 2] - per_run[:, 1]]))
        at_tc = np.array([phase_means(e, row[keep], n, t_c, p.tunnel) for row in dos.log_g])
        tc_means, tc_errs = _mean_err(np.column_stack([at_tc, at_tc[:, 1] - at_tc[:, 0]]))
        lp = dos.log_g_mean[keep] - n * e / mean[0]
        row = {"energy_level": _pad(dos.energies / n, n_levels),
               "log_g": _pad(dos.log_g_mean, n_levels), "log_g_err": _pad(dos.log_g_err,
                                                                          n_levels),
               "log_probability": _pad(_scatter(keep, lp - lp.max()), n_levels),
               "equal_height_temperature": mean[0], "equal_height_temperature_err": err[0],
               "e_ordered": mean[1], "e_ordered_err": err[1],
               "e_disordered": mean[2], "e_disordered_err": err[2],
               "latent_heat": mean[3], "latent_heat_err": err[3],
               "e_ordered_tc": tc_means[0], "e_ordered_tc_err": tc_errs[0],
               "e_disordered_tc": tc_means[1], "e_disordered_tc_err": tc_errs[1],
               "weight_ratio_tc": tc_means[2], "weight_ratio_tc_err": tc_errs[2],
               "latent_heat_tc": tc_means[3], "latent_heat_tc_err": tc_errs[3],
               "tunnelling_time": (np.nanmean(dos.tunnelling_time)
                                   if np.isfinite(dos.tunnelling_time).any() else np.nan),
               "tunnelling_time_err": (np.nanstd(dos.tunnelling_time, ddof=1)
                                       / np.sqrt(np.isfinite(dos.tunnelling_time).sum())
                                       if np.isfinite(dos.tunnelling_time).sum() > 1
                                       else np.nan),
               "tunnelling_events": float(dos.tunnelling_events.sum()),
               "wall_time": dos.wall_time}
        rows.append(row)
    data = {}
    for name in rows[0]:
        values = np.array([r[name] for r in rows])
        data[name] = (("size", "level") if values.ndim == 2 else ("size",), values)
    ds = xr.Dataset(data, coords={"size": np.array(sizes), "level": np.arange(n_levels)})
    if np.isnan(ds["tunnelling_time"].values).any():
        mark_missing(ds, "tunnelling_time", "no passage between the sides in the "
                                            "multicanonical run (raise potts.tunnel_sweeps)")
    _extrapolate(ds, sizes)
    ds.attrs.update(title=f"{p.q}-state Potts model, Wang-Landau 1/t ({p.runs} runs, final "
                          f"ln f = {p.final_ln_f:g}), first-order transition at T_c = "
                          f"{t_c:.6f}", q=p.q, critical_temperature=t_c)
    if p.q == 10:
        ds.attrs.update(e_ordered_exact=E_ORDERED, e_disordered_exact=E_DISORDERED,
                        latent_heat_exact=LATENT_HEAT)
    ds = results.annotate(ds, META)
    for name in ("log_probability", "log_g", "energy_level"):  # against E/N: the task's views
        ds[name].attrs["report_view"] = "task"
    return ds


def _extrapolate(ds, sizes):
    """Weighted fits y(L) = y_inf + a / L^p for p = 2 (the finite-size form of first-order
    transitions with periodic boundaries, Borgs & Kotecky 1990: corrections in 1/volume) and
    p = 1; intercepts with errors and chi^2/dof in the attributes. Also the growth of the
    tunnelling time: slope of ln tau against L."""
    size = np.array(sizes, dtype=float)
    for name in ("latent_heat", "e_ordered", "e_disordered"):
        y, s = ds[name].values, ds[name + "_err"].values
        ok = np.isfinite(y) & (s > 0)
        if ok.sum() < 3:
            continue
        for power, suffix in ((2, ""), (1, "_linear")):
            x = size[ok] ** -power
            design = np.stack([np.ones(ok.sum()), x], axis=1)
            w = 1 / s[ok] ** 2
            cov = np.linalg.inv(design.T @ (design * w[:, None]))
            coef = cov @ (design.T @ (w * y[ok]))
            chi2 = float(((y[ok] - design @ coef) ** 2 * w).sum() / max(ok.sum() - 2, 1))
            ds.attrs[f"{name}_infinite{suffix}"] = float(coef[0])
            ds.attrs[f"{name}_infinite{suffix}_err"] = float(np.sqrt(cov[0, 0]))
            ds.attrs[f"{name}_infinite{suffix}_chi2"] = chi2
            ds.attrs[f"{name}_slope{suffix}"] = float(coef[1])
    tau, tau_err = ds["tunnelling_time"].values, ds["tunnelling_time_err"].values
    slope, slope_err, chi2 = weighted_line(size, np.log(tau), tau_err / tau)
    ds.attrs.update(tunnelling_log_slope=slope, tunnelling_log_slope_err=slope_err,
                    tunnelling_log_slope_chi2=chi2)


def _scatter(mask, values):
    out = np.full(mask.size, np.nan)
    out[mask] = values
    return out


def _pad(values, length):
    out = np.full(length, np.nan)
    out[:values.size] = values
    return out


def warm_up(params):
    """Compile the Potts Wang-Landau kernel on a small lattice."""
    wang_landau(PottsLattice(4, q=params.potts.q), runs=1, final_ln_f=0.1)


def report(ds):
    """Latent heat, peaks and tunnelling per size; the extrapolations beside Baxter."""
    lines = [f"{'L':>4}{'T_eq':>20}{'e_o':>20}{'e_d':>20}{'Delta e':>20}{'tau_tun':>14}"]
    for size in ds["size"].values:
        d = ds.sel(size=size)
        cells = [f"{float(d[n]):>11.5f}±{float(d[n + '_err']):<8.5f}"
                 for n in ("equal_height_temperature", "e_ordered", "e_disordered",
                           "latent_heat")]
        lines.append(f"{size:>4}" + "".join(cells) + f"{float(d['tunnelling_time']):>14.0f}")
    lines.append(f"phases' mean energies at T_c = {ds.attrs['critical_temperature']:.6f}:")
    lines.append(f"{'L':>4}{'e_o(T_c)':>20}{'e_d(T_c)':>20}{'Delta e(T_c)':>20}"
                 f"{'W_o/W_d':>16}")
    for size in ds["size"].values:
        d = ds.sel(size=size)
        cells = [f"{float(d[n]):>11.5f}±{float(d[n + '_err']):<8.5f}"
                 for n in ("e_ordered_tc", "e_disordered_tc", "latent_heat_tc")]
        lines.append(f"{size:>4}" + "".join(cells) + f"{float(d['weight_ratio_tc']):>9.2f}±"
                     f"{float(d['weight_ratio_tc_err']):<6.2f}")
    a = ds.attrs
    if "latent_heat_exact" in a:
        d = ds.isel(size=-1)
        deviation = float(d["latent_heat_tc"]) / a["latent_heat_exact"] - 1
        lines.append(f"L = {int(d['size'])}: Delta e(T_c) = {float(d['latent_heat_tc']):.5f} ± "
                     f"{float(d['latent_heat_tc_err']):.5f}, {100 * deviation:+.2f}% from "
                     f"Baxter's {a['latent_heat_exact']:.6f} ("
                     f"{deviation * a['latent_heat_exact'] / float(d['latent_heat_tc_err']):+.1f}"
                     f" sigma)")
    for suffix, form in (("", "1/L^2"), ("_linear", "1/L")):
        if f"latent_heat_infinite{suffix}" in a:
            lines.append(f"L -> inf (fit in {form}): Delta e = "
                         f"{a['latent_heat_infinite' + suffix]:.5f} ± "
                         f"{a['latent_heat_infinite' + suffix + '_err']:.5f} (chi2/dof "
                         f"{a['latent_heat_infinite' + suffix + '_chi2']:.2f}); exact "
                         f"{a.get('latent_heat_exact', float('nan')):.6f}")
    return "\n".join(lines)


TASK = register(Task(
    name="potts_first_order",
    description="q = 10 Potts: double-peaked P(E), latent heat and tunnelling (Wang-Landau)",
    config=PottsFirstOrderConfig, run=run, warm_up=warm_up,
    figures=(Figure("potts_first_order.png", figures.first_order),), report=report,
    report_views=figures.views))
