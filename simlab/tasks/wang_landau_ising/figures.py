"""Figures of the wang_landau_ising task, from its Dataset only."""


from simlab.render.figures import colors, new_figure, save, title


def density_of_states(ds, path):
    """Relative error of ln g against E/N, and the deviation from exact with its error band."""
    fig, axes = new_figure(1, 2, size=(12, 4.6))
    palette = colors("viridis", ds.sizes["size"])
    for color, size in zip(palette, ds["size"].values):
        d = ds.sel(size=size)
        e = d["energy_level"].values
        axes[0].plot(e, d["log_g_relative_error"].values, color=color, lw=0.8,
                     label=f"L = {size}: mean {float(d['mean_relative_error']):.1e}")
        axes[1].plot(e, d["log_g"].values - d["log_g_exact"].values, color=color, lw=1,
                     label=f"L = {size}: mean rel. err. {float(d['mean_relative_error']):.1e}")
        axes[1].fill_between(e, -2 * d["log_g_err"].values, 2 * d["log_g_err"].values,
                             color=color, alpha=0.15)
    axes[0].set_ylabel("|ln g − exact| / exact   (exact: Beale)")
    axes[0].set_yscale("log")
    axes[1].set_ylabel("ln g − exact   (band: ±2 standard errors)")
    for ax in axes:
        ax.set_xlabel("E / N")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title(ds))
    fig.tight_layout()
    return save(fig, path)


def thermodynamics(ds, path):
    """C(T) and S(T) from ln g beside Kaufman, and S(T) integrated over Metropolis C(T)."""
    fig, axes = new_figure(2, 2, size=(12, 8))
    palette = colors("viridis", ds.sizes["size"])
    t = ds["temperature"].values
    drawn = t <= 4.0
    for color, size in zip(palette, ds["size"].values):
        d = ds.sel(size=size)
        for ax, name in ((axes[0, 0], "specific_heat"), (axes[0, 1], "entropy")):
            ax.plot(t[drawn], d[name + "_exact"].values[drawn], color=color, lw=1)
            ax.errorbar(t[drawn], d[name].values[drawn], yerr=d[name + "_err"].values[drawn],
                        fmt="o", ms=3, color=color, label=f"L = {size} Wang-Landau")
        axes[0, 1].errorbar(t[drawn], d["entropy_integrated"].values[drawn],
                            yerr=d["entropy_integrated_err"].values[drawn], fmt="x", ms=4,
                            color=color, alpha=0.7, label=f"L = {size} ∫ C/T (Metropolis)")
        axes[1, 0].plot(t[drawn], d["specific_heat_z"].values[drawn], "o-", ms=3, color=color,
                        label=f"L = {size}")
        axes[1, 1].plot(t[drawn], (d["entropy_integrated"] - d["entropy_exact"]).values[drawn],
                        "x-", color=color, label=f"L = {size} integrated − exact")
        axes[1, 1].plot(t[drawn], (d["entropy"] - d["entropy_exact"]).values[drawn], "o-",
                        ms=3, color=color, alpha=0.6, label=f"L = {size} Wang-Landau − exact")
    axes[0, 0].set_ylabel("C / N   (lines: Kaufman)")
    axes[0, 1].set_ylabel("S / N   (lines: Kaufman)")
    axes[1, 0].set_ylabel("(C_WL − exact) / σ")
    axes[1, 0].axhspan(-2, 2, color="0.9")
    axes[1, 1].set_ylabel("S − exact")
    for ax in axes.ravel():
        ax.set_xlabel("T")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title(ds))
    fig.tight_layout()
    return save(fig, path)


def specific_heat_peak(ds, path):
    """C(T) near the peak, relative to Kaufman's, from the energy walk and the multibondic
    walk, with bands of one standard error, per size."""
    sizes = ds["size"].values
    fig, axes = new_figure(1, len(sizes), size=(5.5 * len(sizes), 4.4), squeeze=False)
    dt = ds["peak_offset"].values
    for ax, size in zip(axes[0], sizes):
        d = ds.sel(size=size)
        exact = d["peak_region_specific_heat_exact"].values
        for name, label, color in (("peak_region_specific_heat", "Wang-Landau in E", "C0"),
                                   ("peak_region_multibondic_specific_heat",
                                    "multibondic (bonds + Swendsen-Wang)", "C3")):
            rel = 100 * (d[name].values / exact - 1)
            err = 100 * d[name + "_err"].values / exact
            ax.plot(dt, rel, color=color, lw=1.5, label=label + " (band: ±1 s.e.)", zorder=3)
            ax.fill_between(dt, rel - err, rel + err, color=color, alpha=0.3, zorder=2)
        ax.axhline(0.1, color="0.4", lw=0.8, ls="--", label="±0.1%")
        ax.axhline(-0.1, color="0.4", lw=0.8, ls="--")
        ax.axhline(0, color="k", lw=0.8)
        ax.set_xlabel("T − exact T_max")
        ax.set_ylabel("C / C_Kaufman − 1  (%)")
        ax.set_title(f"L = {size}: C_max multibondic "
                     f"{100 * float(d['multibondic_peak_specific_heat_relative_error']):+.3f}% "
                     f"({float(d['multibondic_wall_time']):.0f} s), in E "
                     f"{100 * float(d['peak_specific_heat_relative_error']):+.3f}% "
                     f"({float(d['wall_time']):.0f} s)", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title(ds))
    fig.tight_layout()
    return save(fig, path)
