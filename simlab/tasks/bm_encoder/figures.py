"""Figure and report of the bm_encoder task, from its Dataset only."""

import numpy as np

from simlab.render.figures import new_figure, qualitative, save, title

#: Ackley, Hinton & Sejnowski (1985): runs solved / runs, median and max learning cycles.
REFERENCE = {"4-2-4": (250, 250, 110, 1810), "4-3-4": (None, None, 270, None),
             "8-3-8": (16, 20, None, None)}


def encoder_learning(ds, path):
    """Fraction of runs solved against learning cycles, per encoder."""
    fig, ax = new_figure(size=(7.5, 4.5))
    for name, color in zip(ds["encoder"].values, qualitative()):
        c = ds["cycles"].sel(encoder=name).values
        c = c[c >= -1]
        solved = np.sort(c[c > 0])
        limit = float(ds["max_cycles"].sel(encoder=name))
        x = np.concatenate([[1], solved, [limit]])
        y = np.concatenate([[0], np.arange(1, solved.size + 1), [solved.size]]) / c.size
        ax.step(x, y, where="post", color=color, lw=1.6,
                label=f"{name}: {solved.size}/{c.size} solved, median "
                      f"{float(ds.median_cycles.sel(encoder=name)):.0f}")
    ax.axvline(110, color="0.5", ls=":", lw=1, label="1985 median, 4-2-4 (110)")
    ax.set_xscale("log")
    ax.set_xlim(1, float(ds["max_cycles"].max()))
    ax.set_xlabel("learning cycles")
    ax.set_ylabel("fraction of runs solved")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(title(ds), fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def summary(ds):
    """Measured against Ackley, Hinton & Sejnowski (1985)."""
    lines = [f"{'encoder':>8} {'solved':>16} {'all codes':>10} {'median':>7} {'max':>6}   1985"]
    for name in ds["encoder"].values:
        d = ds.sel(encoder=name)
        runs = int(d["runs"])
        ref = REFERENCE.get(str(name))
        ref_text = "" if ref is None else ", ".join(
            t for t in (f"{ref[0]}/{ref[1]} solved" if ref[0] is not None else "",
                        f"median {ref[2]}" if ref[2] is not None else "",
                        f"max {ref[3]}" if ref[3] is not None else "") if t)
        lines.append(
            f"{name:>8} {int(round(float(d.solved_fraction) * runs)):>4}/{runs:<4}"
            f"[{float(d.solved_fraction_lo):.2f},{float(d.solved_fraction_hi):.2f}] "
            f"{float(d.all_codes_fraction):>9.2f} {float(d.median_cycles):>7.0f} "
            f"{float(d.max_cycles_solved):>6.0f}   {ref_text}")
    return "\n".join(lines)
