"use strict";
// simlab report: draws the payload's panels on canvases; no library, no network.
(function () {
  const data = JSON.parse(document.getElementById("payload").textContent);
  const x = data.x;
  const slider = document.getElementById("x-slider");
  const COLORS = { mc: "#1f5fa8", exact: "#d04a02", onsager: "#555", marker: "#999" };
  let index = 0;

  function fmt(v) { return v === null || v === undefined ? "NaN" : Number(v).toPrecision(6); }
  function label(p) {
    return (p.long_name || p.name) + (p.units && p.units !== "1" ? " [" + p.units + "]" : "");
  }

  // One selector per dimension besides x (size, a swept key, a read), shared by all panels.
  const selects = {};
  const selectorBox = document.getElementById("selectors");
  data.selectors.forEach((sel) => {
    const label = document.createElement("label");
    label.textContent = sel.dim + " ";
    const select = document.createElement("select");
    select.id = "select-" + sel.dim;
    sel.labels.forEach((l, i) => {
      const o = document.createElement("option");
      o.value = String(i); o.textContent = l; select.appendChild(o);
    });
    select.addEventListener("change", () => redraw());
    label.appendChild(select); selectorBox.appendChild(label);
    selects[sel.dim] = [select, sel.labels.length];
  });
  // The row of a panel's values for the current selection (C order over its dims).
  function row(p) {
    let r = 0;
    p.dims.forEach((d) => { r = r * selects[d][1] + Number(selects[d][0].value || 0); });
    return r;
  }

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
  window.simlabBlank = blank; // shared with the token view (tokens.js)

  const PALETTE = ["#7b2d8e", "#c2477a", "#e8833a", "#3a8e5c", "#8c6d31"];
  const BAND_FILL = ["rgba(31,95,168,0.15)", "rgba(31,95,168,0.25)"];

  function draw(panel, canvas, readout) {
    const [ctx, w, h] = blank(canvas);
    const r = row(panel);
    const axis = data.axes[panel.x];
    const onSlider = panel.x === x.name;
    const ys = panel.values[r], errs = panel.err ? panel.err[r] : null;
    const curves = [["mc", ys]];
    if (panel.exact) curves.push(["exact", panel.exact[r]]);
    if (panel.onsager) curves.push(["onsager", panel.onsager[r]]);
    const band = panel.band ? panel.band.rows.map((q) => q[r]) : null;
    const extra = (panel.with || []).map((c) => c.values);
    const xs = axis.values;
    let lo = Infinity, hi = -Infinity;
    const span = (v, e) => v.forEach((y, i) => {
      if (y === null) return;
      const d = e && e[i] !== null ? e[i] : 0;
      lo = Math.min(lo, y - d); hi = Math.max(hi, y + d);
    });
    curves.forEach(([, v]) => span(v, v === ys ? errs : null));
    if (band) { span(band[0]); span(band[4]); }
    extra.forEach((v) => span(v));
    const xlo = Math.min(...xs), xhi = Math.max(...xs);
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (hi === lo) { hi = lo + 1; lo = lo - 1; }
    const pad = { l: 58, r: 10, t: 8, b: 28 };
    // x spanning more than a factor 16 on a grid whose steps grow (geometric temperatures,
    // sweeps 10, 100, 1000) is drawn on a log scale: ln x for x > 0, ln(1 + x) from 0
    const n = xs.length;
    const growing = n > 2 && Math.abs(xs[n - 1] - xs[n - 2]) > 3 * Math.abs(xs[1] - xs[0]);
    const logx = growing && (xlo > 0 ? xhi / xlo > 16 : xlo === 0 && xhi > 16);
    const tx = (v) => (!logx ? v : (xlo > 0 ? Math.log(v) : Math.log1p(v)));
    const px = (v) => pad.l + (tx(v) - tx(xlo)) / (tx(xhi) - tx(xlo) || 1) * (w - pad.l - pad.r);
    const py = (v) => h - pad.b - (v - lo) / (hi - lo) * (h - pad.t - pad.b);
    ctx.strokeStyle = "#ccc"; ctx.fillStyle = "#555"; ctx.font = "11px sans-serif";
    ctx.beginPath(); ctx.moveTo(pad.l, pad.t); ctx.lineTo(pad.l, h - pad.b); ctx.lineTo(w - pad.r, h - pad.b); ctx.stroke();
    [lo, (lo + hi) / 2, hi].forEach((v) => ctx.fillText(Number(v).toPrecision(4), 2, py(v) + 4));
    ctx.textAlign = "left"; ctx.fillText(Number(xlo).toPrecision(4), px(xlo), h - 10);
    ctx.textAlign = "right"; ctx.fillText(Number(xhi).toPrecision(4), px(xhi), h - 10);
    ctx.textAlign = "center"; ctx.fillText(axis.name + (logx ? " (log scale)" : ""), w / 2, h - 10);
    ctx.textAlign = "left";
    if (band) {
      [[0, 4], [1, 3]].forEach(([a, b], k) => {
        ctx.fillStyle = BAND_FILL[k]; ctx.beginPath(); let open = false;
        const pts = xs.map((v, i) => [v, band[a][i], band[b][i]]).filter((p) => p[1] !== null && p[2] !== null);
        pts.forEach(([v, y]) => { if (open) ctx.lineTo(px(v), py(y)); else ctx.moveTo(px(v), py(y)); open = true; });
        pts.slice().reverse().forEach(([v, , y]) => ctx.lineTo(px(v), py(y)));
        ctx.closePath(); ctx.fill();
      });
    }
    const line = (v, color, dash) => {
      ctx.strokeStyle = color; ctx.setLineDash(dash);
      ctx.beginPath(); let open = false;
      v.forEach((y, i) => {
        if (y === null) { open = false; return; }
        if (open) ctx.lineTo(px(xs[i]), py(y)); else ctx.moveTo(px(xs[i]), py(y));
        open = true;
      });
      ctx.stroke();
    };
    curves.forEach(([kind, v]) => line(v, COLORS[kind], kind === "mc" ? [] : [5, 4]));
    extra.forEach((v, k) => line(v, PALETTE[k % PALETTE.length], []));
    ctx.setLineDash([]);
    ctx.fillStyle = COLORS.mc; ctx.strokeStyle = COLORS.mc;
    if (!band) ys.forEach((y, i) => {
      if (y === null) return;
      ctx.fillRect(px(xs[i]) - 2, py(y) - 2, 4, 4);
      if (errs && errs[i] !== null) {
        ctx.beginPath(); ctx.moveTo(px(xs[i]), py(y - errs[i])); ctx.lineTo(px(xs[i]), py(y + errs[i])); ctx.stroke();
      }
    });
    const at = onSlider ? index : 0;
    if (onSlider) {
      ctx.strokeStyle = COLORS.marker;
      ctx.beginPath(); ctx.moveTo(px(xs[index]), pad.t); ctx.lineTo(px(xs[index]), h - pad.b); ctx.stroke();
    }
    show(panel, readout, at);
    canvas.onmousemove = (ev) => {
      const bx = canvas.getBoundingClientRect();
      const mx = ev.clientX - bx.left;
      let best = 0;
      xs.forEach((v, i) => { if (Math.abs(px(v) - mx) < Math.abs(px(xs[best]) - mx)) best = i; });
      show(panel, readout, best);
    };
    canvas.onmouseleave = () => show(panel, readout, at);
  }

  function show(panel, readout, i) {
    const r = row(panel);
    const axis = data.axes[panel.x];
    let text = axis.name + " = " + fmt(axis.values[i]) + ": ";
    if (panel.band) {
      const q = panel.band.rows.map((v) => v[r][i]);
      text += "median " + fmt(q[2]) + " (25-75%: " + fmt(q[1]) + " to " + fmt(q[3]) +
        "; 10-90%: " + fmt(q[0]) + " to " + fmt(q[4]) + ") over " + panel.band.n + " " + panel.band.dim + "s";
    } else {
      text += fmt(panel.values[r][i]);
    }
    if (panel.err) text += " ± " + fmt(panel.err[r][i]);
    if (panel.exact) text += " (exact " + fmt(panel.exact[r][i]) + ")";
    if (panel.onsager) text += " (Onsager " + fmt(panel.onsager[r][i]) + ")";
    (panel.with || []).forEach((c) => { text += "; " + c.label + ": " + fmt(c.values[i]); });
    readout.textContent = text;
    readout.dataset.value = panel.values[r][i] === null ? "NaN" : String(panel.values[r][i]);
  }

  const container = document.getElementById("panels");
  const drawn = data.panels.map((panel) => {
    const box = document.createElement("div");
    box.className = "panel"; box.id = "panel-" + panel.name;
    const title = document.createElement("h3"); title.textContent = label(panel);
    box.appendChild(title);
    if (panel.missing_reason) {
      const m = document.createElement("div"); m.className = "missing";
      m.textContent = "NaN where: " + panel.missing_reason; box.appendChild(m);
    }
    const canvas = document.createElement("canvas"); box.appendChild(canvas);
    if (panel.band || panel.with) {
      const key = document.createElement("div"); key.className = "key";
      if (panel.band) {
        const b = document.createElement("span");
        b.textContent = "median over " + panel.band.n + " " + panel.band.dim + "s, shaded 25-75% and 10-90%";
        b.style.color = COLORS.mc; key.appendChild(b);
      }
      (panel.with || []).forEach((c, k) => {
        const s = document.createElement("span");
        s.textContent = c.label; s.style.color = PALETTE[k % PALETTE.length]; key.appendChild(s);
      });
      box.appendChild(key);
    }
    const readout = document.createElement("div");
    readout.className = "readout"; readout.id = "readout-" + panel.name;
    box.appendChild(readout);
    container.appendChild(box);
    return [panel, canvas, readout];
  });

  // TSP tours: one closed path per selection, equal scales on both axes.
  let tourBox = null;
  if (data.tours) {
    tourBox = document.createElement("div");
    tourBox.className = "panel"; tourBox.id = "panel-tour";
    const title = document.createElement("h3"); title.textContent = data.tours.name;
    const canvas = document.createElement("canvas");
    canvas.style.height = "420px";
    tourBox.appendChild(title); tourBox.appendChild(canvas);
    container.appendChild(tourBox);
  }
  function drawTour() {
    const canvas = tourBox.querySelector("canvas");
    const [ctx, w, h] = blank(canvas);
    const r = row(data.tours);
    const pts = data.tours.x[r].map((v, i) => [v, data.tours.y[r][i]])
      .filter(([a, b]) => a !== null && b !== null);
    if (pts.length < 2) return;
    const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
    const x0 = Math.min(...xs), y0 = Math.min(...ys);
    const span = Math.max(Math.max(...xs) - x0, Math.max(...ys) - y0) || 1;
    const scale = Math.min(w, h) * 0.92 / span;
    const px = (v) => 10 + (v - x0) * scale, py = (v) => h - 10 - (v - y0) * scale;
    ctx.strokeStyle = COLORS.mc; ctx.beginPath();
    pts.forEach(([a, b], i) => (i ? ctx.lineTo(px(a), py(b)) : ctx.moveTo(px(a), py(b))));
    ctx.closePath(); ctx.stroke();
    ctx.fillStyle = COLORS.exact;
    pts.forEach(([a, b]) => ctx.fillRect(px(a) - 1.5, py(b) - 1.5, 3, 3));
    tourBox.dataset.cities = String(pts.length);
  }

  function redraw() {
    document.getElementById("x-value").textContent = x.name ? x.name + " = " + fmt(x.values[index]) : "";
    drawn.forEach(([p, c, r]) => draw(p, c, r));
    if (tourBox) drawTour();
  }
  if (x.values.length) {
    slider.max = String(x.values.length - 1);
    document.getElementById("x-label").textContent = x.long_name || x.name;
  } else {
    slider.hidden = true;
  }
  slider.addEventListener("input", () => { index = Number(slider.value); redraw(); });
  window.addEventListener("resize", redraw);

  if (data.omitted.length) {
    const note = document.getElementById("omitted");
    note.textContent = "Not drawn, to keep this page small (they are in the dataset): " +
      data.omitted.join(", ") + ".";
    note.hidden = false;
  }
  // 1-D variables over a category (algorithm, measure): a row per category.
  data.tables.forEach((t) => {
    const table = document.createElement("table");
    table.id = "table-" + t.dim;
    const head = table.insertRow();
    [t.dim].concat(t.columns.map((c) => label(c))).forEach((h) => {
      const th = document.createElement("th"); th.textContent = h; head.appendChild(th);
    });
    t.labels.forEach((name, i) => {
      const tr = table.insertRow();
      tr.insertCell().textContent = name;
      t.columns.forEach((c) => {
        const td = tr.insertCell();
        td.textContent = fmt(c.values[i]) + (c.err ? " ± " + fmt(c.err[i]) : "");
        td.dataset.value = c.values[i] === null ? "NaN" : String(c.values[i]);
      });
    });
    document.getElementById("tables").appendChild(table);
    document.getElementById("scalars-box").hidden = false;
  });
  if (data.scalars.length) {
    const table = document.getElementById("scalars");
    data.scalars.forEach((s) => {
      const tr = table.insertRow();
      tr.insertCell().textContent = label(s);
      const td = tr.insertCell(); td.textContent = fmt(s.value); td.id = "scalar-" + s.name;
    });
    document.getElementById("scalars-box").hidden = false;
  }
  const attrs = document.getElementById("attrs");
  Object.entries(data.attrs).forEach(([k, v]) => {
    if (k === "config") { document.getElementById("config").textContent = v; return; }
    const tr = attrs.insertRow(); tr.insertCell().textContent = k; tr.insertCell().textContent = v;
  });
  redraw();
})();
