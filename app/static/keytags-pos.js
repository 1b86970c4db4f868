// The key-tag POS page: big item buttons fill the order (the hidden `items` field carries it
// as "code:qty,..."), "One less" takes one off, Clear empties it. The reader types the tag's
// UID and Enter into the tag box, which looks the guest up (the form's default button).
// After a charge goes through the order is emptied and the tag box is ready for the next
// guest. Charge and look-up are plain form posts (htmx when loaded); the form token the server
// hands back with every answer makes a charge sent twice apply once.
(function () {
  "use strict";

  function yuan(fen) {
    var sign = fen < 0 ? "-" : "";
    fen = Math.abs(fen);
    var y = Math.floor(fen / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + "¥" + y + "." + ("0" + (fen % 100)).slice(-2);
  }

  function setup(root) {
    var form = root.querySelector("#pos-form");
    var hidden = root.querySelector("#pos-items");
    var list = root.querySelector("#pos-cart");
    var total = root.querySelector("#pos-total");
    var tag = root.querySelector("#pos-tag");
    var order = [];  // [{code, name, price, qty}]

    function find(code) {
      for (var i = 0; i < order.length; i++) if (order[i].code === code) return order[i];
      return null;
    }

    function render() {
      hidden.value = order.map(function (l) { return l.code + ":" + l.qty; }).join(",");
      list.textContent = "";
      var sum = 0;
      if (!order.length) {
        var empty = document.createElement("li");
        empty.className = "muted";
        empty.textContent = list.dataset.empty || "";
        list.appendChild(empty);
      }
      order.forEach(function (l) {
        sum += l.price * l.qty;
        var li = document.createElement("li");
        li.className = "pos-line";
        li.dataset.line = l.code;
        var what = document.createElement("span");
        what.textContent = l.name + " × " + l.qty;
        var amount = document.createElement("span");
        amount.className = "num";
        amount.textContent = yuan(l.price * l.qty);
        var less = document.createElement("button");
        less.type = "button";
        less.className = "small";
        less.dataset.less = l.code;
        less.textContent = "−";
        less.setAttribute("aria-label", list.dataset.less || "-");
        li.appendChild(what);
        li.appendChild(amount);
        li.appendChild(less);
        list.appendChild(li);
      });
      total.textContent = yuan(sum);
    }

    function restore() {
      // A page rendered by the server after a plain post keeps the order it was sent with.
      (hidden.value || "").split(",").forEach(function (part) {
        var bits = part.split(":");
        var button = root.querySelector('[data-item="' + bits[0] + '"]');
        if (!bits[0] || !button) return;
        order.push({ code: bits[0], name: button.dataset.name, price: parseInt(button.dataset.price, 10) || 0,
                     qty: parseInt(bits[1], 10) || 1 });
      });
      render();
    }

    root.addEventListener("click", function (event) {
      var item = event.target.closest("[data-item]");
      if (item) {
        var line = find(item.dataset.item);
        if (line) { line.qty += 1; }
        else {
          order.push({ code: item.dataset.item, name: item.dataset.name,
                       price: parseInt(item.dataset.price, 10) || 0, qty: 1 });
        }
        render();
        return;
      }
      var less = event.target.closest("[data-less]");
      if (less) {
        var l = find(less.dataset.less);
        if (l) {
          l.qty -= 1;
          if (l.qty <= 0) order.splice(order.indexOf(l), 1);
        }
        render();
        return;
      }
      if (event.target.closest("#pos-clear")) {
        order = [];
        render();
        tag.focus();
      }
    });

    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (!event.detail || !event.detail.target || event.detail.target.id !== "pos-guest") return;
      if (event.detail.target.querySelector("[data-charged]")) {
        order = [];
        render();
        tag.value = "";
      }
      tag.focus();
      tag.select();
    });

    restore();
    if (form && tag) tag.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-pos]");
    if (root) setup(root);
  });
})();
