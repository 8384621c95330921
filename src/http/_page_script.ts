/**
 * The status page's script, inlined in the page (its hash is in the page's
 * Content-Security-Policy). It polls `/health/history` (every `refreshMs`,
 * which the server picks from the check intervals) and redraws the page with
 * `textContent` only, so nothing a check reports is ever parsed as HTML. The
 * title is the status, then vitals' name (as the header shows it). A banner
 * under the header shows the maintenance switch while it is on.
 *
 * A details token typed into the form is kept in this script's memory only
 * and sent as `Authorization: Bearer` on its requests: never in a URL, a
 * cookie or storage. Reloading the page forgets it.
 *
 * @module
 */

/** The script, as served inside `<script>`: plain ES2017, no imports. */
export const PAGE_SCRIPT = String.raw`
(function () {
  "use strict";
  var token = "";
  var tried = false;
  var timer = 0;
  var refreshMs = 5000;
  var SYMBOL = { UP: "\u2713", WARN: "\u25B2", DOWN: "\u2715" };
  var GROUPS = ["live", "ready", "started"];
  var base = location.pathname.replace(/\/health\/?$/, "/").replace(/\/?$/, "/");
  var url = base + "health/history";
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function badge(status) {
    var node = el("span", "st st-" + (status || "NONE"));
    var sym = el("span", "sym", SYMBOL[status] || "\u2026");
    sym.setAttribute("aria-hidden", "true");
    node.append(sym, status || "no result");
    return node;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(iso) {
    var d = new Date(iso);
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }
  function ago(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 90) return s + " s ago";
    if (s < 5400) return Math.round(s / 60) + " min ago";
    if (s < 129600) return Math.round(s / 3600) + " h ago";
    return Math.round(s / 86400) + " d ago";
  }
  function ms(value) {
    if (value === null || value === undefined) return "\u2013";
    return value >= 1000 ? Math.round(value / 100) / 10 + " s" : value + " ms";
  }
  function row(dl, term, value) { dl.append(el("dt", "", term), el("dd", "", value)); }
  function timeline(results) {
    var counts = { UP: 0, WARN: 0, DOWN: 0 };
    var box = el("div", "tl");
    results.forEach(function (r) {
      counts[r.status]++;
      var bar = el("span", "r-" + r.status);
      bar.title = r.status + ", " + ms(r.durationMs) + ", " + clock(r.at);
      box.append(bar);
    });
    box.setAttribute("role", "img");
    box.setAttribute("data-count", String(results.length));
    box.setAttribute("aria-label", "Last " + results.length + " results, oldest first: " +
      counts.UP + " UP, " + counts.WARN + " WARN, " + counts.DOWN + " DOWN");
    return box;
  }
  function card(check, now, index) {
    var node = el("article", "check s-" + (check.status || "NONE"));
    node.setAttribute("data-check", check.name);
    node.setAttribute("data-status", check.status || "");
    node.setAttribute("aria-labelledby", "check-" + index);
    var top = el("div", "top");
    var title = el("h3", "", check.name);
    title.id = "check-" + index;
    top.append(title, badge(check.status));
    node.append(top, el("p", "msg", check.message));
    var dl = el("dl");
    row(dl, "Type", check.type + (check.critical ? ", critical" : ", not critical"));
    row(dl, "Groups", check.groups.length ? check.groups.join(", ") : "none");
    row(dl, "Last change", check.lastChange
      ? clock(check.lastChange) + " (" + ago(Date.parse(now) - Date.parse(check.lastChange)) + ")"
      : "none yet");
    row(dl, "Last run", check.checkedAt
      ? clock(check.checkedAt) + ", took " + ms(check.durationMs) +
        (check.lastOutcome && check.lastOutcome !== check.status ? ", was " + check.lastOutcome : "")
      : "not run yet");
    row(dl, "Runs every", (check.intervalMs ? ms(check.intervalMs) : "request") +
      ", timeout " + ms(check.timeoutMs));
    row(dl, "Thresholds", "DOWN after " + check.failureThreshold + " failure" +
      (check.failureThreshold === 1 ? "" : "s") + ", UP after " + check.successThreshold);
    row(dl, "In a row", check.consecutiveFailures + " failed, " + check.consecutiveSuccesses + " passed");
    row(dl, "Runs", check.runs.UP + " UP, " + check.runs.WARN + " WARN, " + check.runs.DOWN + " DOWN");
    node.append(dl, timeline(check.results));
    return node;
  }
  function render(data) {
    refreshMs = data.refreshMs || 5000;
    document.body.classList.remove("stale");
    // The name as vitals goes by now (a reload may change it), written as text only.
    var name = typeof data.name === "string" ? data.name : $("name").textContent;
    if ($("name").textContent !== name) $("name").textContent = name;
    document.title = data.status + " \u00B7 " + name + " \u00B7 vitals";
    var overall = $("overall");
    // A live region: rewritten only on a change, so a screen reader announces changes only.
    if (overall.getAttribute("data-status") !== data.status) {
      overall.replaceChildren(badge(data.status));
      overall.setAttribute("data-status", data.status);
    }
    var groups = $("groups");
    groups.replaceChildren();
    GROUPS.forEach(function (g) {
      var item = el("li");
      item.append(el("span", "", g), badge(data.groups[g]));
      groups.append(item);
    });
    var maint = data.maintenance;
    $("maintenance").hidden = !maint;
    $("maintenance").textContent = maint ? "Maintenance: " + maint.groups.map(function (g) {
      return g === "all" ? "/health" : g;
    }).join(", ") + " held DOWN since " + clock(maint.since) +
      (maint.reason ? ": " + maint.reason : "") : "";
    var restricted = data.restricted === true;
    $("restricted").hidden = !restricted;
    $("rejected").hidden = !(restricted && tried);
    $("token-form").hidden = !restricted;
    $("forget").hidden = !token;
    var notes = data.details || [];
    $("notes-section").hidden = notes.length === 0;
    $("notes").replaceChildren.apply($("notes"), notes.map(function (n) { return el("li", "", n); }));
    var checks = $("checks");
    checks.replaceChildren.apply(checks, (data.checks || []).map(function (c, i) {
      return card(c, data.now, i);
    }));
    $("checks-count").textContent = restricted ? "" : "(" + (data.checks || []).length + ")";
    $("updated").textContent = "Updated " + clock(data.now) + ", refreshing every " +
      ms(refreshMs) + ".";
  }
  async function poll() {
    clearTimeout(timer);
    try {
      var headers = token ? { authorization: "Bearer " + token } : {};
      var response = await fetch(url, { headers: headers, cache: "no-store", credentials: "omit" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      render(await response.json());
    } catch (error) {
      document.body.classList.add("stale");
      $("updated").textContent = "Cannot reach vitals (" + error.message + "); retrying.";
    }
    timer = setTimeout(poll, refreshMs);
  }
  $("token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("token");
    token = input.value.trim();
    input.value = "";
    tried = token !== "";
    poll();
  });
  $("forget").addEventListener("click", function () {
    token = "";
    tried = false;
    poll();
  });
  poll();
})();
`;
