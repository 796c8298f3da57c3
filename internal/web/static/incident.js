// The incident page's live timeline: entries others add while the page is
// open arrive as server-sent events (rows the server rendered and escaped)
// and are put in time order; the status and severity follow along. The
// page works without this script: forms post, and a reload shows all.
(function () {
  "use strict";
  var table = document.getElementById("timeline");
  if (!table || !window.EventSource || !table.dataset.events) return;
  var body = table.tBodies[0];
  var live = document.getElementById("live");
  var source = new EventSource(table.dataset.events);
  source.addEventListener("open", function () {
    if (live) live.textContent = "Live: entries others add appear as they are added.";
  });
  source.addEventListener("error", function () {
    if (live) live.textContent = "Reconnecting…";
  });
  source.addEventListener("entry", function (ev) {
    var holder = document.createElement("tbody");
    holder.innerHTML = ev.data;
    var row = holder.rows[0];
    if (!row || document.getElementById(row.id)) return;
    var at = Number(row.dataset.at);
    var next = null;
    for (var i = 0; i < body.rows.length; i++) {
      if (Number(body.rows[i].dataset.at) > at) { next = body.rows[i]; break; }
    }
    row.classList.add("fresh");
    body.insertBefore(row, next);
    if (live) {
      var who = row.querySelector(".actor");
      live.textContent = "New " + row.dataset.kind + (who && who.textContent ? " from " + who.textContent : "") + ".";
    }
  });
  source.addEventListener("incident", function (ev) {
    var v = JSON.parse(ev.data);
    var status = document.getElementById("status");
    if (status && v.status) { status.textContent = v.status; status.className = "pill " + v.status; }
    var sev = document.getElementById("severity");
    if (sev && v.severity) { sev.textContent = v.severity; sev.className = "sev " + v.severity; }
  });
})();
