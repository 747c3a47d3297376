// simlab report, token view: the Bokeh widgets' one callback (CustomJS, after
// tokens_math.js). It keeps the shown position and T in one state object, so the list, the
// context, the bars, the curves and the readouts always show the same position.
const S = window.simlabTokens || (window.simlabTokens = {
  data: JSON.parse(document.getElementById("payload").textContent).tokens,
  current: -1, spec: null, tStar: NaN, cStar: 0, hits: null,
});
const positions = S.data.positions;
const fmt = (v) => (Number.isFinite(v) ? v.toPrecision(6) : (Number.isNaN(v) ? "NaN" : (v > 0 ? "inf" : "-inf")));
const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const quote = (s) => JSON.stringify(s);

function label(p) {
  const where = (p.split ? p.split + " " : "") + "position " + p.stream_position;
  return where + (p.token !== null ? ": " + quote(p.token) : "");
}
function temperature() {
  const k = dial.categories.indexOf(dial.value);
  if (k <= 0) return 0;
  if (k >= dial.categories.length - 1) return Infinity;
  return Math.pow(10, T_MIN + (T_MAX - T_MIN) * (k - 1) / STEPS);
}
function listed(indices) {
  select.options = indices.map((i) => [String(i), label(positions[i])]);
}
function showContext(p) {
  let html = "";
  if (p.context !== null) {
    const tail = p.token !== null && p.context.endsWith(p.token) ? p.token.length : 0;
    html = esc(p.context.slice(0, p.context.length - tail)) + "<mark>" +
      esc(p.context.slice(p.context.length - tail)) + "</mark>";
  } else if (p.token !== null) {
    html = "(no context stored) token: " + esc(quote(p.token));
  }
  if (p.next_token !== null) {
    html += "<span style='color:#1f5fa8'> → actual next token " + esc(quote(p.next_token)) + "</span>";
  }
  // column-reverse keeps the box scrolled to its end: the marked token and the next one
  context.text = "<pre style='white-space:pre-wrap;max-height:9em;overflow-y:auto;margin:0;" +
    "background:#f7f7f7;padding:0.5em;display:flex;flex-direction:column-reverse' " +
    "data-position='" + p.index + "'><span>" + html + "</span></pre>";
}
function choose(i) {
  S.current = i;
  const p = positions[i];
  S.spec = spectrum(p, S.data.bin_width);
  [S.tStar, S.cStar] = peak(S.spec);
  const xs = curve.data.x, s = [], c = [];
  const sInf = thermo(S.spec, Infinity).entropy;
  xs.forEach((tt) => { const r = thermo(S.spec, tt); s.push(r.entropy / sInf); c.push(S.cStar > 0 ? r.specific_heat / S.cStar : 0); });
  curve.data = { x: xs, s: s, c: c };
  tstar.location = Number.isFinite(S.tStar) ? S.tStar : null;
  tstar.visible = Number.isFinite(S.tStar);
  const n = Math.min(20, S.spec.topLogits.length);
  S.names = Array.from({ length: n }, (_, k) => (k + 1) + ". " +
    (p.ranked ? quote(p.ranked[k]).slice(0, 24) : "rank " + (k + 1)));
  bars_range.factors = S.names.slice().reverse();
  if (select.value !== String(i)) {
    if (!select.options.some((o) => o[0] === String(i))) listed(positions.map((_, k) => k));
    select.value = String(i);
  }
  showContext(p);
  update();
}
function update() {
  const t = temperature(), th = thermo(S.spec, t);
  const values = {
    T: t, entropy_bits: th.entropy_bits, entropy: th.entropy, perplexity: th.perplexity,
    energy: th.energy, free_energy: th.free_energy, specific_heat: th.specific_heat,
    entropy_derivative: th.entropy_derivative, peak_temperature: S.tStar,
    peak_specific_heat: S.cStar,
  };
  readouts.text = "<table style='border-collapse:collapse;font-size:0.9em'>" + ROWS.map(([key, name, unit]) =>
    "<tr><td>" + esc(name) + "</td><td data-key='" + key + "' data-value='" + String(values[key]) +
    "' style='font-family:monospace;text-align:right;padding:0 0.6em'>" + fmt(values[key]) +
    "</td><td>" + (unit === "1" ? "" : unit) + "</td></tr>").join("") + "</table>";
  const n = S.names.length, p = [];
  for (let i = 0; i < n; i++) {
    const d = S.spec.topLogits[i] - S.spec.top;
    if (t === 0) p.push(d === 0 ? 1 / S.spec.ties : 0);
    else p.push(Math.exp((t === Infinity ? 0 : d / t) - th.log_z_reduced));
  }
  bars.data = { label: S.names, p: p };
  bar_text.text = "Probabilities at " + dial.value + ": " + S.names.slice(0, 5).map((name, i) =>
    esc(name) + " " + p[i].toPrecision(3)).join(", ") + (n > 5 ? ", ..." : "");
  const sInf = thermo(S.spec, Infinity).entropy;
  const tm = t === 0 ? curve.data.x[0] : (t === Infinity ? curve.data.x[curve.data.x.length - 1] : t);
  marker.data = { x: [tm, tm], y: [th.entropy / sInf, S.cStar > 0 ? th.specific_heat / S.cStar : 0] };
}
function searched(q) {
  q = q.toLowerCase();
  const hits = positions.map((p, i) => [p, i]).filter(([p]) => !q ||
    [p.context, p.token, p.next_token].map((v) => v || "").join(" ").toLowerCase()
      .includes(q)).map(([, i]) => i);
  matches.text = q ? hits.length + " match" + (hits.length === 1 ? "" : "es") +
    (hits.length ? "" : " (the list shows every carried position)") : "";
  listed(hits.length ? hits : positions.map((_, i) => i));
  if (hits.length && !hits.includes(S.current)) choose(hits[0]);
  else select.value = String(S.current);
}

const who = (cb_obj && cb_obj.origin) || cb_obj;  // a click event names its button
function describe() {
  const carried = positions.length, total = S.data.total;
  const limit = carried === S.data.max_positions ? "a page carries at most " + carried :
    "each spectrum takes about " + (S.data.bytes_per_position / 1000).toFixed(1) +
    " kB and the page stays under its " + (S.data.budget / 1048576).toFixed(0) + " MB budget";
  const why = carried === total ? "" : " (evenly spaced: " + limit +
    "; the search covers the carried ones)";
  note.text = "<h2>Next-token distributions at temperature T</h2><p style='color:#666'>" +
    carried + " of " + total + " positions carried" + why + ". Each spectrum is stored " +
    "compressed, as in the bundle: its largest logits exactly and the others as a histogram " +
    "of width " + S.data.bin_width + " (bin centres); every number below is computed in this " +
    "page from exactly those levels.</p>";
}

if (who === select) {
  if (select.options.length === 0) { listed(positions.map((_, i) => i)); describe(); }  // loaded
  if (Number(select.value) !== S.current) choose(Number(select.value));
}
else if (who === prev) choose((S.current + positions.length - 1) % positions.length);
else if (who === next) choose((S.current + 1) % positions.length);
else if (who === search) searched(search.value_input);
else if (who === zero) dial.value = dial.categories[0];
else if (who === inf) dial.value = dial.categories[dial.categories.length - 1];
else if (who === dial && S.spec !== null) update();
