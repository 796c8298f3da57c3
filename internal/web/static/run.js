// The run page's live step log. The server sends the parts of the page
// that changed, rendered and escaped as the page itself was (in the
// viewer's zone, with their buttons): a "part" replaces the element with
// its id (the run's head, its audit trail), a "step" replaces its row or
// joins the list in order, "end" says the run is over. The page works
// without this script: it shows the run as it was, and a reload shows the
// latest.
(function () {
  "use strict";
  var steps = document.getElementById("steps");
  if (!steps || !steps.dataset.events || !window.EventSource) return;
  var live = document.getElementById("live");
  var source = new EventSource(steps.dataset.events);

  function parse(html) {
    var t = document.createElement("template");
    t.innerHTML = html.trim();
    return t.content.firstElementChild;
  }
  // keepOpen carries the open stdout and stderr boxes over to the new row.
  function keepOpen(from, to) {
    var was = from.querySelectorAll("details"), now = to.querySelectorAll("details");
    for (var i = 0; i < was.length && i < now.length; i++) now[i].open = was[i].open;
  }
  function say(text) { if (live) live.textContent = text; }

  source.addEventListener("open", function () { say("Live: steps appear as they run."); });
  source.addEventListener("error", function () { say("Reconnecting…"); });
  source.addEventListener("part", function (ev) {
    var el = parse(ev.data);
    if (!el || !el.id) return;
    var old = document.getElementById(el.id);
    // The same version of the head keeps its form, and any comment typed in it.
    if (!old || (old.dataset.version && old.dataset.version === el.dataset.version)) return;
    old.replaceWith(el);
  });
  source.addEventListener("step", function (ev) {
    var el = parse(ev.data);
    if (!el || !el.id) return;
    var old = document.getElementById(el.id), seq = Number(el.dataset.seq);
    if (old) {
      keepOpen(old, el);
      old.replaceWith(el);
    } else {
      var next = null;
      for (var i = 0; i < steps.children.length; i++) {
        if (Number(steps.children[i].dataset.seq) > seq) { next = steps.children[i]; break; }
      }
      steps.insertBefore(el, next);
    }
    var name = el.querySelector("strong");
    say("Step " + (seq + 1) + (name ? " (" + name.textContent + ")" : "") + ": " + el.dataset.status.replace(/_/g, " ") + ".");
  });
  source.addEventListener("end", function (ev) {
    source.close();
    say("The run is over: " + ev.data.replace(/_/g, " ") + ".");
  });
})();
