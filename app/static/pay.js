// The payment page (templates/payments/pay.html): the card goes to Stripe.js, its token to us.
// A script file rather than inline code, so the Content-Security-Policy needs no unsafe-inline.
(function () {
  var form = document.getElementById("pay-form");
  if (!form || !window.Stripe) return;
  var errorBox = document.getElementById("pay-error");
  var button = document.getElementById("pay-button");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  // A direct charge lives on the enterprise's connected account: Stripe.js must name it.
  var account = form.dataset.stripeAccount;
  var stripe = account ? Stripe(form.dataset.publishableKey, {stripeAccount: account}) : Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card", {hidePostalCode: true});
  card.mount("#card-element");

  function fail(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    button.disabled = false;
  }

  async function sendCard(tokenId) {
    var response = await fetch(form.dataset.cardUrl, {
      method: "POST",
      headers: {"x-csrftoken": csrf, "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded"},
      body: new URLSearchParams({payment_id: form.dataset.paymentId, token: tokenId})
    });
    var answer = await response.json().catch(function () { return {}; });
    return {ok: response.ok, answer: answer};
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    button.disabled = true;
    errorBox.hidden = true;
    var made = await stripe.createToken(card);
    if (!made || made.error || !made.token) { fail(form.dataset.cardError); return; }
    var sent = await sendCard(made.token.id);
    if (!sent.ok) { fail(sent.answer.message || form.dataset.genericError); return; }
    if (sent.answer.status === "failed") { fail(sent.answer.message || form.dataset.cardError); return; }
    if (sent.answer.status === "requires_action") {
      var done = await stripe.confirmCardPayment(sent.answer.client_secret);
      var intent = done && done.paymentIntent;
      if (!intent || done.error || intent.status !== "succeeded") { fail(form.dataset.authError); return; }
    }
    window.location.href = form.dataset.returnUrl;
  });
})();
