// The package sale form (templates/distribution/packages/new.html): on submit Stripe.js turns
// the tourist's card into a single-use token in the hidden card_token field, then the form
// posts as usual. A script file rather than inline code, so the Content-Security-Policy needs
// no unsafe-inline.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("package-form");
    if (!form) return;
    var tokenField = document.getElementById("card_token");
    var errorBox = document.getElementById("card-error");
    var button = document.getElementById("sell-button");
    var stripe = null;
    var card = null;
    if (window.Stripe && form.dataset.publishableKey) {
      var account = form.dataset.stripeAccount;  // the hold is a direct charge on the agency's account
      stripe = account ? Stripe(form.dataset.publishableKey, {stripeAccount: account}) : Stripe(form.dataset.publishableKey);
      card = stripe.elements().create("card", {hidePostalCode: true});
      card.mount("#card-element");
    }
    function fail(message) {
      errorBox.textContent = message;
      errorBox.hidden = false;
      button.disabled = false;
    }
    var sending = false;
    form.addEventListener("submit", async function (event) {
      if (sending) return;
      event.preventDefault();
      if (!stripe || !card) { fail(form.dataset.noCard); return; }
      button.disabled = true;
      errorBox.hidden = true;
      var made = await stripe.createToken(card);
      if (!made || made.error || !made.token) { fail(form.dataset.cardError); return; }
      tokenField.value = made.token.id;
      sending = true;
      form.submit();
    });
  });
})();
