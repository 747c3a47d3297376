"""Figure of the potts_first_order task, from its Dataset only."""

import numpy as np

from simlab.render.figures import colors, new_figure, save, title


def first_order(ds, path):
    """P(E) at T_eq per size; latent heat (peak distance at T_eq and phases' means at T_c)
    against 1/L; tunnelling time."""
    fig, axes = new_figure(1, 3, size=(16, 4.8))
    palette = colors("viridis", ds.sizes["size"])
    for color, size in zip(palette, ds["size"].values):
        d = ds.sel(size=size)
        e, lp = d["energy_level"].values, d["log_probability"].values
        ok = np.isfinite(lp)
        axes[0].plot(e[ok], np.exp(lp[ok]), color=color,
                     label=f"L = {size}, T_eq = {float(d['equal_height_temperature']):.5f}")
    a = ds.attrs
    if "e_ordered_exact" in a:
        for value in (a["e_ordered_exact"], a["e_disordered_exact"]):
            axes[0].axvline(value, color="k", lw=0.8, ls="--")
    axes[0].set_xlabel("E / N")
    axes[0].set_ylabel("P(E) / P_max at T_eq   (dashed: Baxter's e_o, e_d)")
    x = 1.0 / ds["size"].values
    axes[1].errorbar(x, ds["latent_heat"].values, yerr=ds["latent_heat_err"].values, fmt="o",
                     label="Δe(L) = e_d − e_o")
    axes[1].errorbar(x, ds["latent_heat_tc"].values, yerr=ds["latent_heat_tc_err"].values,
                     fmt="s", label="Δe(T_c, L): the phases' mean energies at T_c")
    xs = np.linspace(0, x.max(), 50)
    for suffix, power, style in (("", 2, "-"), ("_linear", 1, ":")):
        if f"latent_heat_infinite{suffix}" in a:
            axes[1].plot(xs, a[f"latent_heat_infinite{suffix}"]
                         + a[f"latent_heat_slope{suffix}"] * xs**power, style, lw=0.9,
                         label=f"fit in 1/L^{power}: Δe(∞) = "
                               f"{a['latent_heat_infinite' + suffix]:.4f} ± "
                               f"{a['latent_heat_infinite' + suffix + '_err']:.4f}")
    if "latent_heat_exact" in a:
        axes[1].axhline(a["latent_heat_exact"], color="k", ls="--", lw=0.8,
                        label=f"Baxter {a['latent_heat_exact']:.6f}")
    axes[1].set_xlabel("1 / L")
    axes[1].set_ylabel("latent heat per site")
    tau = ds["tunnelling_time"].values
    if np.isfinite(tau).any():
        axes[2].errorbar(ds["size"].values, tau, yerr=ds["tunnelling_time_err"].values,
                         fmt="o")
        axes[2].set_yscale("log")
    else:
        axes[2].text(0.5, 0.5, "no tunnelling times recorded", ha="center",
                     transform=axes[2].transAxes)
    axes[2].set_xlabel("L")
    axes[2].set_ylabel("tunnelling time (multicanonical sweeps)")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8) if ax.get_legend_handles_labels()[0] else None
    fig.suptitle(title(ds))
    fig.tight_layout()
    return save(fig, path)


def views(ds):
    """The report's P(E) / P_max at T_eq(L) with its two peaks against E/N, one curve per
    size on each size's own energy levels, Baxter's e_o and e_d marked."""
    from simlab.render.views import Series, View

    view = View("curves", "task-probability", "P(E) / P_max at T_eq(L): the two phases' "
                "peaks", "P / P_max", x_name="energy_level", x_label="energy per site E/N [J]",
                x=np.array([]))
    for size in ds["size"].values:
        d = ds.sel(size=size)
        e, log_p = d["energy_level"].values, d["log_probability"].values
        ok = np.isfinite(e) & np.isfinite(log_p)
        view.series.append(Series(
            f"L = {size}, T_eq = {float(d['equal_height_temperature']):.5f}", np.exp(log_p[ok]),
            x=e[ok], key={"size": int(size)}))
    a = ds.attrs
    if "e_ordered_exact" in a:
        view.marks = [("Baxter's e_o", a["e_ordered_exact"]),
                      ("Baxter's e_d", a["e_disordered_exact"])]
        view.notes.append(f"dashed: Baxter's infinite-lattice peaks e_o = "
                          f"{a['e_ordered_exact']:.7g} and e_d = {a['e_disordered_exact']:.7g}")
    view.notes.append("ln g(E) and the energy levels are in the dataset (log_g, energy_level)")
    return [view]
