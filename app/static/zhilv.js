// Zhilv console helpers. htmx 2 swaps 4xx answers too, so field errors and messages
// rendered by the server appear where the form asked for them.
document.addEventListener("DOMContentLoaded", function () {
  if (window.htmx) {
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "4..", swap: true, error: false },
      { code: "5..", swap: true, error: true },
    ];
  }
});
