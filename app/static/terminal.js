// Terminal pages: the clock in the top bar, and the − / + buttons beside a quantity
// (the field itself still takes typing). In a file, not inline, for the Content-Security-Policy.
(function () {
  function tick() {
    var now = new Date();
    var text = String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
    document.querySelectorAll("[data-clock]").forEach(function (el) { el.textContent = text; });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 15000); });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-step]");
    if (!button) return;
    var input = button.parentNode.querySelector("input");
    if (!input) return;
    var value = (parseInt(input.value, 10) || 0) + parseInt(button.dataset.step, 10);
    input.value = Math.max(0, Math.min(20, value));
  });
})();
