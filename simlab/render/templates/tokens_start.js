"use strict";
// simlab report, token view: once Bokeh has built the page, choose the first carried
// position; the change runs the view's callback (tokens_view.js), which fills everything.
(function start() {
  const doc = window.Bokeh && Bokeh.documents.length ? Bokeh.documents[0] : null;
  const select = doc ? doc.get_model_by_name("tok-position") : null;
  if (select === null) { setTimeout(start, 30); return; }
  select.value = "0";
})();
