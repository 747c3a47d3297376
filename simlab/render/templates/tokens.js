"use strict";
// simlab report, token view: a position's next-token distribution at temperature T, with its
// thermodynamics recomputed here from the carried spectrum exactly as
// simlab.thermo.logit_thermodynamics does (E = -logit, float64, shifted by the top logit).
(function () {
  const data = JSON.parse(document.getElementById("payload").textContent).tokens;
  if (!data) return;
  const $ = (id) => document.getElementById(id);
  const box = $("tokens");
  box.hidden = false;
  const positions = data.positions;
  const T_MIN = -2, T_MAX = 2, STEPS = 400; // slider: log10 T from -2 to 2 in 0.01 steps
  // A cleared canvas at the screen's pixel density: [context, width, height] in CSS pixels.
  function blank(canvas) {
    const ctx = canvas.getContext("2d");
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    canvas.width = w * ratio; canvas.height = h * ratio;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return [ctx, w, h];
  }
  const fmt = (v) => (Number.isFinite(v) ? v.toPrecision(6) : (Number.isNaN(v) ? "NaN" : (v > 0 ? "inf" : "-inf")));

  function bytes(b64) {
    const s = atob(b64), out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out.buffer;
  }

  // Levels z (top logits, then the centres of the non-empty tail bins) and multiplicities g,
  // as d = z - max; ties = multiplicity of the maximum.
  function spectrum(pos) {
    const top = new Float32Array(bytes(pos.top));
    const counts = new Uint16Array(bytes(pos.tail));
    const z = [], g = [];
    top.forEach((v) => { z.push(v); g.push(1); });
    counts.forEach((c, j) => { if (c > 0) { z.push(pos.tail_start + (j + 0.5) * data.bin_width); g.push(c); } });
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

  // State: the carried position shown, its spectrum, and T (0, a finite value, or inf).
  let current = 0, spec = null, tStar = NaN, cStar = 0, curve = null, t = 1;

  const select = $("tok-position");
  function label(p) {
    const where = (p.split ? p.split + " " : "") + "position " + p.stream_position;
    return where + (p.token !== null ? ": " + JSON.stringify(p.token) : "");
  }
  function fillSelect(indices) {
    select.innerHTML = "";
    indices.forEach((i) => {
      const o = document.createElement("option");
      o.value = String(i); o.textContent = label(positions[i]); select.appendChild(o);
    });
  }
  fillSelect(positions.map((_, i) => i));
  $("tok-note").textContent = positions.length + " of " + data.total + " positions carried" +
    (positions.length < data.total ? " (evenly spaced: each compressed spectrum takes several " +
      "kB, and the page stays under its size budget; the search covers the carried ones)" : "") +
    ". " +
    "Each spectrum is stored compressed, as in the bundle: its largest logits exactly and the " +
    "others as a histogram of width " + data.bin_width + " (bin centres); every number below is " +
    "computed in this page from exactly those levels.";

  function choose(i) {
    current = i;
    const p = positions[i];
    spec = spectrum(p);
    [tStar, cStar] = peak(spec);
    const grid = Array.from({ length: 161 }, (_, k) => Math.pow(10, T_MIN + (T_MAX - T_MIN) * k / 160));
    curve = grid.map((tt) => [tt, thermo(spec, tt)]);
    if (select.value !== String(i)) {
      if (![...select.options].some((o) => o.value === String(i))) fillSelect(positions.map((_, k) => k));
      select.value = String(i);
    }
    const ctx = $("tok-context");
    ctx.textContent = "";
    if (p.context !== null) {
      const text = p.context;
      const tail = p.token !== null && text.endsWith(p.token) ? p.token.length : 0;
      ctx.appendChild(document.createTextNode(text.slice(0, text.length - tail)));
      const mark = document.createElement("mark"); mark.textContent = text.slice(text.length - tail);
      ctx.appendChild(mark);
    } else if (p.token !== null) {
      ctx.appendChild(document.createTextNode("(no context stored) token: " + JSON.stringify(p.token)));
    }
    if (p.next_token !== null) {
      const next = document.createElement("span"); next.className = "next";
      next.textContent = " → actual next token " + JSON.stringify(p.next_token);
      ctx.appendChild(next);
    }
    box.dataset.position = String(p.index);
    update();
  }

  const rows = [
    ["T", "temperature T", "logit"], ["entropy_bits", "entropy H", "bits"],
    ["entropy", "entropy S = H in nats", "nats"], ["perplexity", "perplexity 2^H = e^S", "tokens"],
    ["energy", "mean energy U = <E> = -<logit>", "logit"], ["free_energy", "free energy F = U - T S", "logit"],
    ["specific_heat", "specific heat C = Var(E)/T^2", "1"], ["entropy_derivative", "dS/dT = Var(E)/T^3", "1/logit"],
    ["peak_temperature", "T* (maximum of C)", "logit"], ["peak_specific_heat", "C(T*)", "1"],
  ];
  const table = $("tok-readouts");
  const cells = {};
  rows.forEach(([key, name, unit]) => {
    const tr = table.insertRow();
    tr.insertCell().textContent = name;
    const td = tr.insertCell(); td.id = "tok-" + key; cells[key] = td;
    tr.insertCell().textContent = unit === "1" ? "" : unit;
  });
  function put(key, v) { cells[key].textContent = fmt(v); cells[key].dataset.value = String(v); }

  function update() {
    const th = thermo(spec, t);
    put("T", t);
    ["entropy_bits", "entropy", "perplexity", "energy", "free_energy", "specific_heat",
      "entropy_derivative"].forEach((k) => put(k, th[k]));
    put("peak_temperature", tStar); put("peak_specific_heat", cStar);
    $("tok-t").textContent = t === 0 ? "T = 0 (greedy)" : (t === Infinity ? "T = ∞ (uniform)" : "T = " + fmt(t));
    drawBars(th); drawCurves(th);
    announce();
  }

  // report.js's blank canvas at the screen's pixel density
  function canvas(id) {
    const [ctx, w, h] = blank($(id));
    ctx.font = "11px sans-serif";
    return [ctx, w, h];
  }

  // The 20 largest logits' probabilities p = g exp(d/T) / Z' (T = 0: 1/ties on the maxima).
  function drawBars(th) {
    const [ctx, w, h] = canvas("tok-bars");
    const p = positions[current];
    const n = Math.min(20, spec.topLogits.length);
    const probs = [];
    for (let i = 0; i < n; i++) {
      const d = spec.topLogits[i] - spec.top;
      let pr;
      if (t === 0) pr = d === 0 ? 1 / spec.ties : 0;
      else pr = Math.exp((t === Infinity ? 0 : d / t) - th.log_z_reduced);
      probs.push(pr);
    }
    const left = 130, barH = (h - 10) / n;
    probs.forEach((pr, i) => {
      const y = 5 + i * barH;
      ctx.fillStyle = "#1f5fa8";
      ctx.fillRect(left, y + 1, Math.max(pr * (w - left - 70), 0.5), barH - 3);
      ctx.fillStyle = "#222"; ctx.textAlign = "right";
      const name = p.ranked ? JSON.stringify(p.ranked[i]) : "rank " + (i + 1);
      ctx.fillText(name.length > 20 ? name.slice(0, 19) + "…" : name, left - 6, y + barH / 2 + 3);
      ctx.textAlign = "left";
      ctx.fillText(pr.toPrecision(3), left + pr * (w - left - 70) + 4, y + barH / 2 + 3);
    });
    $("tok-bars").dataset.top = String(probs[0]);
    $("tok-bars").setAttribute("aria-label", "Probabilities at T of the most likely tokens: " +
      probs.slice(0, 5).map((pr, i) => (p.ranked ? JSON.stringify(p.ranked[i]) : "rank " +
        (i + 1)) + " " + pr.toPrecision(3)).join(", ") + (n > 5 ? ", ..." : ""));
  }

  // S(T) / ln V' and C(T) / C(T*) on 0.01..100 (log), with T* and the dial's T marked.
  function drawCurves(th) {
    const [ctx, w, h] = canvas("tok-curves");
    const pad = { l: 40, r: 10, t: 10, b: 26 };
    const lx = (tt) => pad.l + (Math.log10(tt) - T_MIN) / (T_MAX - T_MIN) * (w - pad.l - pad.r);
    const py = (v) => h - pad.b - v * (h - pad.t - pad.b);
    const sInf = thermo(spec, Infinity).entropy;
    ctx.strokeStyle = "#ccc"; ctx.beginPath();
    ctx.moveTo(pad.l, pad.t); ctx.lineTo(pad.l, h - pad.b); ctx.lineTo(w - pad.r, h - pad.b); ctx.stroke();
    ctx.fillStyle = "#555";
    [0.01, 0.1, 1, 10, 100].forEach((tt) => { ctx.textAlign = "center"; ctx.fillText(String(tt), lx(tt), h - 12); });
    ctx.textAlign = "right"; ctx.fillText("1", pad.l - 4, py(1) + 4); ctx.fillText("0", pad.l - 4, py(0) + 4);
    const series = [["#1f5fa8", (r) => r.entropy / sInf, "S / S(∞)"],
      ["#d04a02", (r) => (cStar > 0 ? r.specific_heat / cStar : 0), "C / C(T*)"]];
    series.forEach(([color, f, name], k) => {
      ctx.strokeStyle = color; ctx.beginPath();
      curve.forEach(([tt, r], i) => (i ? ctx.lineTo(lx(tt), py(f(r))) : ctx.moveTo(lx(tt), py(f(r)))));
      ctx.stroke();
      ctx.fillStyle = color; ctx.textAlign = "left"; ctx.fillText(name, pad.l + 8 + 90 * k, pad.t + 10);
    });
    if (Number.isFinite(tStar) && tStar >= 0.01 && tStar <= 100) {
      ctx.strokeStyle = "#999"; ctx.setLineDash([4, 3]); ctx.beginPath();
      ctx.moveTo(lx(tStar), pad.t); ctx.lineTo(lx(tStar), h - pad.b); ctx.stroke(); ctx.setLineDash([]);
      ctx.fillStyle = "#555"; ctx.fillText("T* = " + tStar.toPrecision(4), lx(tStar) + 3, h - pad.b - 6);
    }
    const tm = t === 0 ? 0.01 : (t === Infinity ? 100 : Math.min(Math.max(t, 0.01), 100));
    [[th.entropy / sInf, "#1f5fa8"], [cStar > 0 ? th.specific_heat / cStar : 0, "#d04a02"]].forEach(([v, color]) => {
      ctx.fillStyle = color; ctx.beginPath(); ctx.arc(lx(tm), py(v), 4, 0, 2 * Math.PI); ctx.fill();
    });
  }

  const slider = $("tok-slider");
  slider.max = String(STEPS);
  const fromSlider = () => Math.pow(10, T_MIN + (T_MAX - T_MIN) * Number(slider.value) / STEPS);
  slider.addEventListener("input", () => { t = fromSlider(); update(); });
  // Screen readers announce the temperature, not the dial's step.
  const announce = () => slider.setAttribute("aria-valuetext", t === 0 ? "T = 0, greedy" :
    (t === Infinity ? "T = infinity, uniform" : "T = " + t.toPrecision(3)));
  $("tok-zero").addEventListener("click", () => { t = 0; slider.value = "0"; update(); });
  $("tok-inf").addEventListener("click", () => { t = Infinity; slider.value = String(STEPS); update(); });
  select.addEventListener("change", () => choose(Number(select.value)));
  $("tok-prev").addEventListener("click", () => choose((current + positions.length - 1) % positions.length));
  $("tok-next").addEventListener("click", () => choose((current + 1) % positions.length));
  // The list holds the positions whose text contains the query (all when it is empty or
  // matches none); it always shows the position whose numbers are on display.
  $("tok-search").addEventListener("input", (ev) => {
    const q = ev.target.value.toLowerCase();
    const hits = positions.map((p, i) => [p, i]).filter(([p]) => !q ||
      [p.context, p.token, p.next_token].map((v) => v || "").join(" ").toLowerCase()
        .includes(q)).map(([, i]) => i);
    $("tok-matches").textContent = q ? hits.length + " match" + (hits.length === 1 ? "" : "es") +
      (hits.length ? "" : " (the list shows every carried position)") : "";
    fillSelect(hits.length ? hits : positions.map((_, i) => i));
    if (hits.length && !hits.includes(current)) choose(hits[0]);
    else select.value = String(current);
  });
  window.addEventListener("resize", update);
  slider.value = String(STEPS / 2); // T = 1
  choose(0);
})();
