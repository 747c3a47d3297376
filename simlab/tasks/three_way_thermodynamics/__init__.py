"""The three systems side by side: 2D Ising lattice, a trained RBM, a language model.

Each system's S/S(T = inf) and C/C(T_peak) against T / T_peak: Kaufman's exact Ising curve,
a digits RBM trained as in ``rbm_digits`` (per unit), and the median over positions of the
exact next-token curves (live model or bundled sample). All three are exact: the RBM has
``rbm.n_hidden_exact`` hidden units so that its hidden layer can be enumerated (larger
trained RBMs freeze at low T, where Monte Carlo stops mixing).
"""

from dataclasses import dataclass

import numpy as np
import xarray as xr

from simlab import results
from simlab.exact import kaufman
from simlab.exact.rbm import rbm_thermodynamics
from simlab.llm.analysis import batch_variables, typical_position_bars, warm_up
from simlab.llm.sources import LLMSource, open_source
from simlab.models.lattice import IsingLattice
from simlab.samplers.mcmc import sample_lattice
from simlab.schema import section, setting
from simlab.tasks import Figure, Task, register
from simlab.tasks.common.digits import RBMTraining, binary_digits, train_rbm
from simlab.tasks.three_way_thermodynamics import figures


@dataclass
class IsingLatticeSize:
    """The Ising lattice of the comparison."""

    size: int = setting(32, minimum=2, maximum=512, doc="linear size L of the L x L torus")


@dataclass
class ThreeWayConfig:
    """Sections of the three_way_thermodynamics task."""

    llm: LLMSource = section(LLMSource)
    rbm: RBMTraining = section(RBMTraining)
    ising: IsingLatticeSize = section(IsingLatticeSize)


DIAL = np.geomspace(0.25, 4.0, 25)  # T / T_peak of the dial: 0.25 to 4, 1 in the middle
DIAL_SWEEPS = 2000  # heat-bath sweeps from the ordered state before each snapshot

META = {
    "rescaled_temperature": ("T / T_peak", "1"),
    "ising_entropy": ("2D Ising S/N (Kaufman, exact)", "nats"),
    "ising_specific_heat": ("2D Ising C/N (Kaufman, exact)", "1"),
    "token_entropy": ("median over positions of the next-token S", "nats"),
    "token_entropy_max": ("median ln V' of the next-token distributions", "nats"),
    "token_specific_heat": ("median over positions of the next-token C", "1"),
    "rbm_entropy": ("digits RBM S/N (exact enumeration)", "nats"),
    "rbm_specific_heat": ("digits RBM C/N (exact enumeration)", "1"),
    "ising_size": ("linear size L of the Ising torus", "sites"),
    "ising_peak_temperature": ("temperature of the Ising C/N maximum", "J/k_B"),
    "rbm_peak_temperature": ("temperature of the RBM C/N maximum", "1"),
    "rbm_hidden_units": ("hidden units of the RBM", "1"),
    "token_positions": ("positions in the token median", "1"),
    "dial_temperature": ("T / T_peak of the report's dial", "1"),
    "spin_snapshot": ("Ising spins of one heat-bath chain started all up, after "
                      f"{DIAL_SWEEPS} sweeps at T = x T_peak", "1"),
    "token_probability": ("next-token probability of a typical position at T = x T*", "1"),
    "token_label": ("the typical position's most likely next tokens", "1"),
    "row": ("lattice row of a snapshot", "1"),
    "col": ("lattice column of a snapshot", "1"),
}


def dial_variables(L, t_peak, batch, text, seed):
    """The dial's pictures: a spin snapshot of the L x L torus and the next-token
    probabilities of the batch's typical position at each T / T_peak of ``DIAL``."""
    run = sample_lattice(IsingLattice(L), DIAL * t_peak, chains=1, sweeps=1,
                         thermalization=DIAL_SWEEPS, algorithm="heatbath", scan="sequential",
                         seed=seed, record=False, kernel="scalar")
    bars = typical_position_bars(batch, text, DIAL)
    out = {"spin_snapshot": (("dial_temperature", "row", "col"),
                             run.spins[:, 0, :].reshape(DIAL.size, L, L))}
    if bars is not None:
        out["token_probability"] = (("dial_temperature", "rank"), bars["probability"])
        out["token_label"] = ("rank", np.array(bars["token"], dtype=object))
    return out, bars


def run(params, ctx):
    """The three systems' curves on the rescaled axis."""
    from scipy.optimize import minimize_scalar

    x = np.geomspace(0.05, 20.0, 161)
    L = params.ising.size
    t_peak, _ = kaufman.specific_heat_peak(L, L)
    ising = kaufman.kaufman(L, L, x * t_peak)
    source = open_source(params.llm, ctx.seed, ctx.progress)
    parts, first = [], None
    for b, text in source.batches("corpus"):
        parts.append(batch_variables(b, np.array([1.0]), x))
        if first is None:
            first = dial_variables(L, t_peak, b, text, ctx.seed)
    token_s = np.concatenate([p["entropy_rescaled"] for p in parts])
    token_c = np.concatenate([p["specific_heat_rescaled"] for p in parts])
    token_smax = np.concatenate([p["entropy_max"] for p in parts])
    r = params.rbm
    train, _ = binary_digits(r.threshold, r.test_fraction, ctx.seed)
    machine = train_rbm(r, train, r.n_hidden_exact, ctx.seed).params
    n_units = machine.n_visible + machine.n_hidden
    res = minimize_scalar(lambda lt: -rbm_thermodynamics(machine, np.exp(lt))[
        "specific_heat"][0], bounds=(np.log(0.05), np.log(20.0)), method="bounded",
        options={"xatol": 1e-7})
    t_rbm_peak = float(np.exp(res.x))
    rbm = rbm_thermodynamics(machine, x * t_rbm_peak)
    ds = xr.Dataset(
        {"ising_entropy": ("rescaled_temperature", ising["entropy"]),
         "ising_specific_heat": ("rescaled_temperature", ising["specific_heat"]),
         "token_entropy": ("rescaled_temperature", np.nanmedian(token_s, axis=0)),
         "token_specific_heat": ("rescaled_temperature", np.nanmedian(token_c, axis=0)),
         "token_entropy_max": ((), float(np.median(token_smax))),
         "rbm_entropy": ("rescaled_temperature", rbm["entropy"] / n_units),
         "rbm_specific_heat": ("rescaled_temperature", rbm["specific_heat"] / n_units),
         "ising_size": ((), L), "ising_peak_temperature": ((), t_peak),
         "rbm_peak_temperature": ((), t_rbm_peak), "rbm_hidden_units": ((), r.n_hidden_exact),
         "token_positions": ((), int(token_s.shape[0]))},
        coords={"rescaled_temperature": x, "dial_temperature": DIAL, "row": np.arange(L),
                "col": np.arange(L)})
    dial, bars = first
    for name, value in dial.items():
        ds[name] = value
    ds.attrs.update(title="2D Ising, digits RBM and language-model next-token distributions",
                    token_source=source.name, **source.model_attributes)
    if bars is not None:
        ds.attrs.update(dial_position=bars["position"],
                        dial_peak_temperature=bars["peak_temperature"])
    ds = results.annotate(ds, META)
    for name in dial:
        ds[name].attrs["report_view"] = "task"  # drawn by the temperature dial
    return ds


TASK = register(Task(
    name="three_way_thermodynamics",
    description="S and C against T/T_peak: Ising lattice, a trained RBM, a language model",
    config=ThreeWayConfig, run=run, warm_up=lambda params: warm_up(),
    figures=(Figure("three_way_thermodynamics.png", figures.three_way),),
    report=figures.summary, report_views=lambda ds: [figures.dial(ds)]))
