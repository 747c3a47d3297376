// simlab report, token view: the exact thermodynamics of one position's carried spectrum, as
// simlab.thermo.logit_thermodynamics computes it (E = -logit, float64, shifted by the top
// logit). Functions only; tokens_view.js calls them.
function bytes(b64) {
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out.buffer;
}

// Levels z (top logits, then the centres of the non-empty tail bins) and multiplicities g,
// as d = z - max; ties = multiplicity of the maximum.
function spectrum(pos, binWidth) {
  const top = new Float32Array(bytes(pos.top));
  const counts = pos.tail_bytes === 1 ? new Uint8Array(bytes(pos.tail))
    : new Uint16Array(bytes(pos.tail));
  const z = [], g = [];
  top.forEach((v) => { z.push(v); g.push(1); });
  counts.forEach((c, j) => { if (c > 0) { z.push(pos.tail_start + (j + 0.5) * binWidth); g.push(c); } });
  let mx = -Infinity;
  z.forEach((v) => { if (v > mx) mx = v; });
  let ties = 0;
  const d = new Float64Array(z.length);
  z.forEach((v, i) => { d[i] = v - mx; if (v === mx) ties += g[i]; });
  return { d: d, g: Float64Array.from(g), top: mx, ties: ties, topLogits: top };
}

// (ln Z', mu, var) of the weights g exp(d / T), with the exact limits at T = 0 and inf.
function moments(s, t) {
  const d = s.d, g = s.g, n = d.length;
  if (t === 0) return [Math.log(s.ties), 0, 0];
  const b = t === Infinity ? 0 : 1 / t;
  const w = new Float64Array(n);
  let z = 0, s1 = 0;
  for (let i = 0; i < n; i++) { w[i] = g[i] * Math.exp(b * d[i]); z += w[i]; s1 += w[i] * d[i]; }
  const mu = s1 / z;
  let s2 = 0;
  for (let i = 0; i < n; i++) { const u = d[i] - mu; s2 += w[i] * u * u; }
  return [Math.log(z), mu, s2 / z];
}

function thermo(s, t) {
  const [lz, mu, v] = moments(s, t);
  const b = t === Infinity ? 0 : 1 / t;
  const edge = t === 0 || t === Infinity;
  const entropy = t === 0 ? lz : lz - b * mu;
  const c = edge ? 0 : v * (b * b);
  return {
    entropy: entropy, entropy_bits: entropy / Math.LN2, perplexity: Math.exp(entropy),
    energy: -(s.top + mu), free_energy: t === 0 ? -s.top : -t * lz - s.top,
    specific_heat: c, entropy_derivative: edge ? 0 : c * b, log_z_reduced: lz,
  };
}

function logC(s, lt) {
  const b = Math.exp(-lt), v = moments(s, 1 / b)[2];
  return v > 0 ? Math.log(v) + 2 * Math.log(b) : -Infinity;
}

// T* of the maximum of C(T): grid of 97 points in ln T over [1e-4, 1e4], then golden
// section to 1e-6, as simlab.thermo.logit_specific_heat_peak.
function peak(s) {
  const lo0 = Math.log(1e-4), hi0 = Math.log(1e4), n = 97;
  const grid = Array.from({ length: n }, (_, i) => lo0 + (hi0 - lo0) * i / (n - 1));
  let best = -Infinity, j = -1;
  grid.forEach((lt, i) => { const v = logC(s, lt); if (v > best) { best = v; j = i; } });
  if (j < 0) return [NaN, 0];
  const r = (Math.sqrt(5) - 1) / 2;
  let lo = grid[Math.max(j - 1, 0)], hi = grid[Math.min(j + 1, n - 1)];
  let x1 = hi - r * (hi - lo), x2 = lo + r * (hi - lo);
  let f1 = logC(s, x1), f2 = logC(s, x2);
  while (hi - lo > 1e-6) {
    if (f1 < f2) { lo = x1; x1 = x2; f1 = f2; x2 = lo + r * (hi - lo); f2 = logC(s, x2); }
    else { hi = x2; x2 = x1; f2 = f1; x1 = hi - r * (hi - lo); f1 = logC(s, x1); }
  }
  const x = 0.5 * (lo + hi);
  const tStar = Math.exp(x);
  const edge = tStar <= 1e-4 * (1 + 2e-6) || tStar >= 1e4 * (1 - 2e-6);
  return [edge ? NaN : tStar, Math.exp(logC(s, x))];
}
