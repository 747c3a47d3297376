"""The header every benchmark prints: date, CPU model, cores, SIMD flags and the versions of
the packages it times, so a table read later says where and with what it was measured.

Benchmarks run as scripts (``python benchmarks/NAME.py``), so this module is importable from
them as ``machine``.
"""

import datetime
import os
import platform
import time
from importlib import metadata

SIMD_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl")


def cpu():
    """'model, N cores, SIMD: flags' from /proc/cpuinfo (the processor name elsewhere)."""
    model, flags = platform.processor() or "unknown CPU", []
    try:
        with open("/proc/cpuinfo") as f:
            lines = f.read().splitlines()
        model = next(ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name"))
        have = set(next(ln for ln in lines if ln.startswith("flags")).split(":", 1)[1].split())
        flags = [f for f in SIMD_FLAGS if f in have]
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} cores, SIMD: {' '.join(flags) or 'unknown'}"


def versions(*packages):
    """'Python x, pkg y, ...' for the installed distributions named (absent ones say so)."""
    parts = [f"Python {platform.python_version()}"]
    for name in ("simlab", "numpy", "numba") + packages:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return ", ".join(parts)


def header(*packages):
    """Print the date, machine and versions (simlab, numpy, numba and ``packages``)."""
    print(f"{datetime.date.today().isoformat()}; {cpu()}")
    print(versions(*packages))


def best_of(repeats, run):
    """Run ``run()`` (returning (result, seconds)) ``repeats`` times; keep the fastest."""
    best = None
    for _ in range(repeats):
        res, seconds = run()
        if best is None or seconds < best[1]:
            best = (res, seconds)
    return best


def wall(call):
    """``call`` as a function returning (its result, its wall time in seconds)."""
    def run():
        start = time.perf_counter()
        result = call()
        return result, time.perf_counter() - start
    return run


VECTOR_MNEMONICS = ("vpopcntq", "vprolq", "vpgatherqq", "vpternlogq", "vpcmpuq", "vpaddq")


def emitted(dispatcher, mnemonics=VECTOR_MNEMONICS):
    """What LLVM emitted for a compiled Numba function: 'N zmm, N ymm lines; mnemonic N, ...'.

    Counts the assembly lines of every compiled signature of ``dispatcher`` that use 512-bit
    (zmm) and 256-bit (ymm) registers, and the lines of each mnemonic named.
    """
    lines = [ln.strip() for asm in dispatcher.inspect_asm().values() for ln in asm.splitlines()]
    code = [ln for ln in lines if ln and not ln.startswith((".", "#")) and not ln.endswith(":")]
    zmm = sum("%zmm" in ln for ln in code)
    ymm = sum("%ymm" in ln for ln in code)
    counts = ", ".join(f"{m} {sum(ln.split()[0] == m for ln in code)}" for m in mnemonics)
    return f"{zmm} zmm, {ymm} ymm lines of {len(code)}; {counts}"
