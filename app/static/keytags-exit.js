// The exit desk's pay form: the change shown as the cashier types the cash handed over.
(function () {
  "use strict";
  function fen(text) {
    var cleaned = String(text || "").replace(/[\s¥￥,，元]/g, "");
    var m = /^([0-9]{1,9})(?:\.([0-9]{1,2}))?$/.exec(cleaned);
    if (!m) return null;
    return parseInt(m[1], 10) * 100 + parseInt((m[2] || "0").padEnd(2, "0"), 10);
  }
  function yuan(amount) {
    var whole = Math.floor(amount / 100);
    var cents = String(amount % 100).padStart(2, "0");
    return "¥" + whole.toLocaleString("en-US") + "." + cents;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-to-pay]");
    if (!form) return;
    var input = form.querySelector("input[name=tendered]");
    var out = form.querySelector("[data-change-preview]");
    if (!input || !out) return;
    var due = parseInt(form.getAttribute("data-to-pay"), 10) || 0;
    function show() {
      var given = fen(input.value);
      if (given === null) { out.textContent = ""; return; }
      var change = given - due;
      out.textContent = change >= 0
        ? out.getAttribute("data-label-change") + " " + yuan(change)
        : out.getAttribute("data-label-short") + " " + yuan(-change);
    }
    input.addEventListener("input", show);
    show();
  });
})();
