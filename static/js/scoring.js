// Formula Jury: the judge's pages. The running weighted total, autosave of drafts and the
// deadline countdown. Every page works without this file (the form posts as usual).
(function () {
  "use strict";

  // --- deadline countdown: <span data-countdown="ISO" data-template="{d} … {h} … {m} …"> ---
  function tick(element) {
    var left = Math.floor((Date.parse(element.getAttribute("data-countdown")) - Date.now()) / 1000);
    if (isNaN(left)) { return; }
    if (left < 0) {
      element.textContent = element.getAttribute("data-closed") || "";
      return;
    }
    var days = Math.floor(left / 86400);
    var hours = Math.floor((left % 86400) / 3600);
    var minutes = Math.floor((left % 3600) / 60);
    element.textContent = element.getAttribute("data-template")
      .replace("{d}", days).replace("{h}", hours).replace("{m}", minutes);
  }
  var clocks = document.querySelectorAll("[data-countdown]");
  if (clocks.length) {
    clocks.forEach(tick);
    window.setInterval(function () { clocks.forEach(tick); }, 30000);
  }

  var form = document.getElementById("review-form");
  if (!form) { return; }

  // --- the weighted total, T = sum of weight x score, in exact hundredths ---
  var output = document.getElementById("review-total");
  var scoreInputs = form.querySelectorAll("input[data-score]");

  function hundredths(text) {
    // "1.5" -> 150, "2" -> 200; weights have at most two decimal places.
    var parts = String(text).split(".");
    var whole = parseInt(parts[0] || "0", 10);
    var fraction = ((parts[1] || "") + "00").slice(0, 2);
    return whole * 100 + parseInt(fraction, 10);
  }

  function updateTotal() {
    var total = 0;
    scoreInputs.forEach(function (input) {
      var text = input.value.trim();
      if (!/^[+-]?\d+$/.test(text)) { return; }
      var value = parseInt(text, 10);
      var low = parseInt(input.getAttribute("min"), 10);
      var high = parseInt(input.getAttribute("max"), 10);
      if (value < low || value > high) { return; }
      total += hundredths(input.getAttribute("data-weight")) * value;
    });
    if (output) {
      var whole = Math.floor(total / 100);
      var cents = String(total % 100);
      // the reader's decimal mark, as the page printed it («60,00» in Russian)
      var mark = output.getAttribute("data-decimal-mark") || ".";
      output.textContent = whole + mark + (cents.length < 2 ? "0" + cents : cents);
    }
  }
  scoreInputs.forEach(function (input) { input.addEventListener("input", updateTotal); });
  updateTotal();

  // --- autosave: a few seconds after the last change, and at least every 15 s while typing ---
  var url = form.getAttribute("data-autosave-url");
  if (!url) { return; }
  var status = document.getElementById("autosave-status");
  var QUIET_MS = 3000;
  var MAX_WAIT_MS = 15000;
  var timer = null;
  var firstChange = null;
  var dirty = false;
  var saving = false;
  var stopped = false;
  var submitting = false;

  function say(text) { if (status) { status.textContent = text; } }

  function schedule() {
    if (stopped) { return; }
    dirty = true;
    var now = Date.now();
    if (firstChange === null) { firstChange = now; }
    window.clearTimeout(timer);
    var wait = Math.min(QUIET_MS, Math.max(0, firstChange + MAX_WAIT_MS - now));
    timer = window.setTimeout(save, wait);
  }

  function save() {
    if (stopped || submitting || !dirty) { return; }
    if (saving) { schedule(); return; }
    saving = true;
    dirty = false;
    firstChange = null;
    say(form.getAttribute("data-saving"));
    var body = new FormData(form);
    body.delete("action");
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      saving = false;
      var data = result.data || {};
      if (data.status === "saved") {
        say(form.getAttribute("data-saved").replace("{time}", data.saved_at || ""));
        markErrors(data.errors || {});
      } else {
        // "submitted", "closed", "conflict", "forbidden": stop and tell the judge why.
        stopped = true;
        say(data.message || form.getAttribute("data-failed"));
      }
    }).catch(function () {
      saving = false;
      dirty = true;
      say(form.getAttribute("data-failed"));
    });
  }

  function markErrors(errors) {
    form.querySelectorAll("[data-autosave-error]").forEach(function (node) { node.remove(); });
    Object.keys(errors).forEach(function (name) {
      var field = form.querySelector("[name='" + name + "']");
      if (!field) { return; }
      var note = document.createElement("div");
      note.className = "invalid-feedback d-block";
      note.setAttribute("data-autosave-error", "");
      note.textContent = errors[name];
      field.insertAdjacentElement("afterend", note);
    });
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function () {
    submitting = true;
    window.clearTimeout(timer);
  });
  window.addEventListener("beforeunload", function (event) {
    if ((dirty || saving) && !submitting && !stopped) {
      event.preventDefault();
      event.returnValue = form.getAttribute("data-leave");
      return event.returnValue;
    }
    return undefined;
  });
})();
