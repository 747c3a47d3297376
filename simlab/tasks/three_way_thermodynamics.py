"""The three systems side by side: 2D Ising lattice, a trained RBM, a language model.

Each system's S/S(T = inf) and C/C(T_peak) against T / T_peak: Kaufman's exact L = 32
Ising curve, a digits RBM trained as in ``rbm_digits`` (per unit), and
the median over positions of the exact next-token curves (live model or bundled sample).
All three are exact: the RBM has ``rbm.n_hidden_exact`` hidden units so that its hidden layer
can be enumerated (larger trained RBMs freeze at low T, where Monte Carlo stops mixing).
"""

import time

import numpy as np
import xarray as xr

from simlab import plots
from simlab.exact import kaufman
from simlab.llm.analysis import batch_variables
from simlab.llm.sources import open_source
from simlab.models.boltzmann import rbm_exact_thermodynamics
from simlab.tasks._output import publish
from simlab.tasks.rbm_digits import digits, exact_machine

META = {
    "rescaled_temperature": ("T / T_peak", "1"),
    "ising_entropy": ("2D Ising S/N, L = 32 (exact)", "nats"),
    "ising_specific_heat": ("2D Ising C/N, L = 32 (exact)", "1"),
    "token_entropy": ("median over positions of the next-token S", "nats"),
    "token_entropy_max": ("median ln V' of the next-token distributions", "nats"),
    "token_specific_heat": ("median over positions of the next-token C", "1"),
    "rbm_entropy": ("digits RBM S/N (exact enumeration)", "nats"),
    "rbm_specific_heat": ("digits RBM C/N (exact enumeration)", "1"),
}


def warm_up(cfg):
    """Compile the spectrum kernels."""
    from simlab.llm.analysis import warm_up as warm

    warm()


def run(cfg, output_dir):
    """Compute the three systems' curves; save the Dataset and figure."""
    from scipy.optimize import minimize_scalar

    start = time.perf_counter()
    x = np.geomspace(0.05, 20.0, 161)
    t_peak, _ = kaufman.specific_heat_peak(32, 32)
    ising = kaufman.kaufman(32, 32, x * t_peak)
    c = cfg.llm
    source = open_source(c.source, model=c.model, corpus=c.corpus, positions=c.positions,
                         shuffled_positions=c.shuffled_positions, context=c.context,
                         stride=c.stride, batch_size=c.batch_size, seed=cfg.seed,
                         bundle=c.bundle, progress=cfg.output.progress)
    parts = [batch_variables(b, np.array([1.0]), x) for b, _ in source.batches("corpus")]
    token_s = np.concatenate([p["entropy_rescaled"] for p in parts])
    token_c = np.concatenate([p["specific_heat_rescaled"] for p in parts])
    token_smax = np.concatenate([p["entropy_max"] for p in parts])
    r = cfg.rbm
    train, _ = digits(r.threshold, r.test_fraction, cfg.seed)
    params = exact_machine(train, r, cfg.seed).params
    n_units = params.n_visible + params.n_hidden
    res = minimize_scalar(lambda lt: -rbm_exact_thermodynamics(params, np.exp(lt))[
        "specific_heat"][0], bounds=(np.log(0.05), np.log(20.0)), method="bounded",
        options={"xatol": 1e-7})
    t_rbm_peak = float(np.exp(res.x))
    thermo = rbm_exact_thermodynamics(params, x * t_rbm_peak)
    ds = xr.Dataset(
        {"ising_entropy": ("rescaled_temperature", ising["entropy"]),
         "ising_specific_heat": ("rescaled_temperature", ising["specific_heat"]),
         "token_entropy": ("rescaled_temperature", np.nanmedian(token_s, axis=0)),
         "token_specific_heat": ("rescaled_temperature", np.nanmedian(token_c, axis=0)),
         "token_entropy_max": ((), float(np.median(token_smax))),
         "rbm_entropy": ("rescaled_temperature", thermo["entropy"] / n_units),
         "rbm_specific_heat": ("rescaled_temperature", thermo["specific_heat"] / n_units)},
        coords={"rescaled_temperature": x})
    return publish(
        ds, cfg, start, output_dir,
        "2D Ising, digits RBM and language-model next-token distributions", META,
        [(plots.three_way, "three_way_thermodynamics.png")],
        lambda d: (f"T_peak: Ising L=32 {t_peak:.4f}; RBM ({r.n_hidden_exact} hidden, exact) "
                   f"{t_rbm_peak:.4f}; tokens: per position ({token_s.shape[0]} positions)"),
        ising_peak_temperature=t_peak, rbm_peak_temperature=t_rbm_peak,
        rbm_hidden_units=r.n_hidden_exact, token_source=source.name,
        token_positions=int(token_s.shape[0]))
