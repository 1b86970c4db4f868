// The gangway page: a USB/HID scanner types the code into the focused box and presses
// Enter, which submits the form (htmx posts it); the device camera does the same through
// @zxing/browser. Each scan carries this browser's device id and next sequence number, so
// a scan sent twice is answered once. Green or red, a short tone and a vibration.
(function () {
  "use strict";
  var DEVICE_KEY = "zhilv.gangway.device";
  var SEQ_KEY = "zhilv.gangway.seq";

  function deviceId() {
    var id = null;
    try { id = window.localStorage.getItem(DEVICE_KEY); } catch (e) { id = null; }
    if (!id) {
      var bytes = new Uint8Array(8);
      window.crypto.getRandomValues(bytes);
      id = "web-" + Array.prototype.map.call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      try { window.localStorage.setItem(DEVICE_KEY, id); } catch (e) { /* private mode */ }
    }
    return id;
  }

  var memorySeq = 0;
  function nextSeq() {
    var n = memorySeq;
    try { n = parseInt(window.localStorage.getItem(SEQ_KEY) || "0", 10) || 0; } catch (e) { n = memorySeq; }
    n = Math.max(n, memorySeq) + 1;
    memorySeq = n;
    try { window.localStorage.setItem(SEQ_KEY, String(n)); } catch (e) { /* kept in memory */ }
    return n;
  }

  function tone(ok) {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      var ctx = tone.ctx || (tone.ctx = new Ctx());
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.frequency.value = ok ? 880 : 220;
      gain.gain.value = 0.15;
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + (ok ? 0.15 : 0.45));
    } catch (e) { /* no sound */ }
    if (navigator.vibrate) navigator.vibrate(ok ? 80 : [200, 80, 200]);
  }

  function init() {
    var page = document.querySelector("[data-gangway]");
    if (!page) return;
    var form = page.querySelector("#scan-form");
    var input = form.querySelector("input[name=code]");

    // Fill the device id and sequence before htmx reads the form (capture runs first).
    document.addEventListener("submit", function (event) {
      if (event.target !== form) return;
      if (!input.value.trim()) {
        event.preventDefault();
        event.stopImmediatePropagation();
        input.focus();
        return;
      }
      form.elements.device_id.value = deviceId();
      form.elements.device_seq.value = String(nextSeq());
    }, true);

    document.body.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt !== form) return;
      input.value = "";
      input.focus();
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target && event.detail.target.id === "verdict") {
        var card = document.getElementById("verdict-card");
        if (card) tone(card.dataset.outcome === "accepted");
      }
    });

    // Keep the box focused for the scanner, unless the purser is choosing something.
    input.addEventListener("blur", function () {
      window.setTimeout(function () {
        var active = document.activeElement;
        if (!active || active === document.body) input.focus();
      }, 150);
    });
    input.focus();

    setUpCamera(form, input);
  }

  function setUpCamera(form, input) {
    var toggle = document.getElementById("camera-toggle");
    var video = document.getElementById("camera");
    var problem = document.getElementById("camera-error");
    if (!toggle || !video) return;
    if (!window.ZXingBrowser || !navigator.mediaDevices) {
      toggle.hidden = true;
      return;
    }
    var controls = null;
    var last = "";
    var lastAt = 0;

    function stop() {
      if (controls) controls.stop();
      controls = null;
      video.hidden = true;
      toggle.textContent = toggle.dataset.off;
      input.focus();
    }

    toggle.addEventListener("click", function () {
      if (controls) { stop(); return; }
      problem.hidden = true;
      video.hidden = false;
      toggle.textContent = toggle.dataset.on;
      var reader = new window.ZXingBrowser.BrowserQRCodeReader();
      reader.decodeFromVideoDevice(undefined, video, function (result) {
        if (!result) return;
        var text = result.getText();
        var now = Date.now();
        // The camera sees the same code many times a second: one scan per showing.
        if (text === last && now - lastAt < 3000) return;
        last = text;
        lastAt = now;
        input.value = text;
        form.requestSubmit();
      }).then(function (c) { controls = c; }, function () {
        problem.hidden = false;
        stop();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
