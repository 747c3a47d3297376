"""The infinite square-lattice Ising model in zero field (Onsager 1944; Yang 1952).

Per-spin energy, specific heat, spontaneous magnetisation and free energy as functions of
temperature (J = 1 unless given, k_B = 1). With K = J/T,
k = 2 sinh(2K) / cosh(2K)^2 and j = 2 tanh(2K)^2 - 1:

    u = -J coth(2K) [1 + (2/pi) j K1(k)]
    c = (2/pi) K^2 coth(2K)^2 [((j - 1/2)^2 + 7/4) K1 - 2 E1 - (1 - j) pi/2]
    m = (1 - sinh(2K)^-4)^(1/8) for T < T_c, else 0
    -f/T = ln 2 / 2 + 1/(2 pi) int_0^pi ln[cosh(2K)^2 + sqrt(1 + q^2 - 2 q cos 2t) / q] dt,
    q = 1 / sinh(2K)^2,

K1, E1 the complete elliptic integrals of modulus k (SciPy takes the parameter m = k^2).
At T_c the specific heat diverges; :func:`specific_heat` returns inf there.
"""

import numpy as np
from scipy import integrate, special

from simlab.validation import number, temperatures

#: Critical temperature of the square lattice, 2 / ln(1 + sqrt 2) (J = 1).
CRITICAL_TEMPERATURE = 2.0 / np.log1p(np.sqrt(2.0))


def _k(temperature, coupling):
    t = temperatures("temperature", np.ravel(temperature)).reshape(np.shape(temperature))
    coupling = number("coupling", coupling, positive=True)
    return coupling / t


def critical_temperature(coupling=1.0):
    """T_c = 2 J / ln(1 + sqrt 2)."""
    return CRITICAL_TEMPERATURE * coupling


def energy(temperature, coupling=1.0):
    """Internal energy per spin u(T), same shape as ``temperature``."""
    K = _k(temperature, coupling)
    k = 2 * np.sinh(2 * K) / np.cosh(2 * K) ** 2
    j = 2 * np.tanh(2 * K) ** 2 - 1
    with np.errstate(invalid="ignore"):
        # At T_c, j = 0 and K1 diverges only logarithmically: the product tends to 0.
        j_k1 = np.where(k**2 >= 1.0, 0.0, j * special.ellipk(np.minimum(k**2, 1.0)))
    return -coupling / np.tanh(2 * K) * (1 + 2 / np.pi * j_k1)


def specific_heat(temperature, coupling=1.0):
    """Specific heat per spin c(T) = du/dT, same shape as ``temperature`` (inf at T_c)."""
    K = _k(temperature, coupling)
    k = 2 * np.sinh(2 * K) / np.cosh(2 * K) ** 2
    j = 2 * np.tanh(2 * K) ** 2 - 1
    m = k**2
    with np.errstate(divide="ignore", invalid="ignore"):
        k1 = special.ellipk(m)
        e1 = special.ellipe(m)
        c = (2 / np.pi) * (K / np.tanh(2 * K)) ** 2 * (
            ((j - 0.5) ** 2 + 1.75) * k1 - 2 * e1 - (1 - j) * np.pi / 2)
    return np.where(m >= 1.0, np.inf, c)


def magnetization(temperature, coupling=1.0):
    """Spontaneous magnetisation per spin m(T) (0 at and above T_c)."""
    K = _k(temperature, coupling)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = 1 - np.sinh(2 * K) ** -4.0
    return np.where(inside > 0, np.abs(inside) ** 0.125, 0.0)


def free_energy(temperature, coupling=1.0):
    """Free energy per spin f(T) by quadrature of Onsager's integral (about 1e-12 accurate)."""
    K = np.atleast_1d(_k(temperature, coupling))

    def minus_beta_f(k_val):
        q = 1 / np.sinh(2 * k_val) ** 2
        c2 = np.cosh(2 * k_val) ** 2
        integrand = lambda t: np.log(c2 + np.sqrt(1 + q * q - 2 * q * np.cos(2 * t)) / q)
        value, _ = integrate.quad(integrand, 0.0, np.pi, epsabs=1e-13, epsrel=1e-13, limit=200)
        return 0.5 * np.log(2.0) + value / (2 * np.pi)

    out = np.array([minus_beta_f(k_val) for k_val in K.ravel()]).reshape(K.shape)
    out = -out * coupling / K
    return out.reshape(np.shape(temperature))


def entropy(temperature, coupling=1.0):
    """Entropy per spin s(T) = (u - f) / T in nats."""
    t = np.asarray(temperature, dtype=np.float64)
    return (energy(t, coupling) - free_energy(t, coupling)) / t
