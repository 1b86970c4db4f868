// Zhilv page helpers. Everything a page does in the browser lives in files like this one:
// the Content-Security-Policy allows no inline code, no onclick= and no hx-on:* handlers.

// htmx 2 swaps 4xx answers too, so field errors and messages rendered by the server appear
// where the form asked for them.
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

// <form data-confirm="Delete this?">: ask before sending.
document.addEventListener("submit", function (event) {
  var form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

document.addEventListener("click", function (event) {
  // <button data-remove-row>: take the table row it sits in off the form.
  var remover = event.target.closest("[data-remove-row]");
  if (remover) {
    var row = remover.closest("tr");
    if (row) row.remove();
    return;
  }
  // <a data-back>: back to the previous page when there is one.
  var back = event.target.closest("a[data-back]");
  if (back && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
    return;
  }
  // <button data-copy="#id" data-copied="Copied">: copy that element's text.
  var copier = event.target.closest("[data-copy]");
  if (copier) copyText(copier);
});

function copyText(button) {
  var source = document.querySelector(button.dataset.copy);
  if (!source) return;
  var text = source.textContent.trim();
  function done() { button.textContent = button.dataset.copied; }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done);
  } else {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    document.execCommand("copy");
    done();
  }
}
