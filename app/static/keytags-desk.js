// The key-tag desk's admission form (templates/keytags/desk/home.html): with a card hold as
// the tab, the card field shows; on submit Stripe.js turns the card into one single-use token
// per person (space separated) in the hidden card_token field, then the form posts as usual.
// A script file rather than inline code, so the Content-Security-Policy needs no unsafe-inline.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("admit-form");
    if (!form) return;
    var mode = document.getElementById("tab_mode");
    var box = document.getElementById("card-hold");
    var tokenField = document.getElementById("card_token");
    var errorBox = document.getElementById("card-error");
    var button = document.getElementById("admit-button");
    if (!mode || !box || !tokenField) return;
    var card = null;
    var stripe = null;
    if (window.Stripe && form.dataset.publishableKey) {
      var account = form.dataset.stripeAccount;  // holds are direct charges on the resort's account
      stripe = account ? Stripe(form.dataset.publishableKey, {stripeAccount: account}) : Stripe(form.dataset.publishableKey);
      card = stripe.elements().create("card", {hidePostalCode: true});
      card.mount("#card-element");
    }

    function holding() { return mode.value === "card_preauth"; }
    function show() { box.hidden = !holding(); }
    mode.addEventListener("change", show);
    show();

    function fail(message) {
      errorBox.textContent = message;
      errorBox.hidden = false;
      button.disabled = false;
    }

    function persons() {
      var n = 0;
      form.querySelectorAll("select[name$='-ticket_type']").forEach(function (s) {
        if (s.value) n += 1;
      });
      return Math.max(n, 1);
    }

    var sending = false;
    form.addEventListener("submit", async function (event) {
      if (!holding() || sending) return;
      event.preventDefault();
      if (!stripe || !card) { fail(form.dataset.noCard); return; }
      button.disabled = true;
      errorBox.hidden = true;
      var tokens = [];
      for (var i = 0; i < persons(); i += 1) {
        var made = await stripe.createToken(card);
        if (!made || made.error || !made.token) { fail(form.dataset.cardError); return; }
        tokens.push(made.token.id);
      }
      tokenField.value = tokens.join(" ");
      sending = true;
      form.submit();
    });
  });
})();
