/* Self-assessment enhancements. The questionnaire works without this file:
   - htmx swaps each step in place (422 answers with errors are swapped too);
   - focus moves to the error summary or the new step's heading after a swap;
   - conditional questions hide while their condition is known to be false. */
(function () {
  "use strict";

  if (window.htmx) {
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "422", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
    ];
  }

  function answerOf(form, key, prior) {
    var field = form.elements.namedItem(key);
    if (!field) {
      return Object.prototype.hasOwnProperty.call(prior, key) ? prior[key] : null;
    }
    var raw = field.value;
    if (field.type === "number") {
      return raw === "" ? null : Number(raw);
    }
    if (raw === "" || raw === "unsure") return null;
    if (raw === "yes") return true;
    if (raw === "no") return false;
    return raw;
  }

  // Three-valued logic, as the clinical engine: true, false or null (unknown).
  function evaluate(spec, get) {
    if (typeof spec === "string") spec = { "var": spec, eq: true };
    if (spec.any) {
      var unknown = false;
      for (var i = 0; i < spec.any.length; i++) {
        var v = evaluate(spec.any[i], get);
        if (v === true) return true;
        if (v === null) unknown = true;
      }
      return unknown ? null : false;
    }
    if (spec.all) {
      var unk = false;
      for (var j = 0; j < spec.all.length; j++) {
        var w = evaluate(spec.all[j], get);
        if (w === false) return false;
        if (w === null) unk = true;
      }
      return unk ? null : true;
    }
    if (spec.not) {
      var n = evaluate(spec.not, get);
      return n === null ? null : !n;
    }
    var value = get(spec["var"]);
    if (value === null || value === undefined) return null;
    if ("eq" in spec) return value === spec.eq;
    if ("ne" in spec) return value !== spec.ne;
    if ("in" in spec) return spec["in"].indexOf(value) !== -1;
    if ("lt" in spec) return value < spec.lt;
    if ("le" in spec) return value <= spec.le;
    if ("gt" in spec) return value > spec.gt;
    if ("ge" in spec) return value >= spec.ge;
    return null;
  }

  function refresh(form) {
    var prior = {};
    try { prior = JSON.parse(form.getAttribute("data-prior") || "{}"); } catch (e) { prior = {}; }
    var get = function (key) { return answerOf(form, key, prior); };
    form.querySelectorAll("[data-enable-when]").forEach(function (block) {
      var spec;
      try { spec = JSON.parse(block.getAttribute("data-enable-when")); } catch (e) { return; }
      block.hidden = evaluate(spec, get) === false;
    });
  }

  function init(root) {
    root.querySelectorAll("form[data-assessment-form]").forEach(function (form) {
      refresh(form);
      form.addEventListener("change", function () { refresh(form); });
    });
  }

  function focusAfterSwap() {
    var target = document.getElementById("error-summary") || document.getElementById("step-heading");
    if (target) target.focus();
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    init(document);
    if (event.detail && event.detail.boosted !== false) focusAfterSwap();
  });
})();
