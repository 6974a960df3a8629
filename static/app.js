// coterforum: progressive enhancements only; every page works without this.
(function () {
  "use strict";
  // The page's language: French by default, English when the server says so.
  var english = document.documentElement.lang === "en";
  var locale = english ? "en-GB" : "fr-FR";
  var texts = {
    fr: { characters: "caractères" },
    en: { characters: "characters" }
  }[english ? "en" : "fr"];
  // Live Markdown preview, rendered by the server through the same pipeline
  // as a published post.
  function setupPreview(textarea) {
    var out = document.getElementById(textarea.getAttribute("data-preview"));
    var form = textarea.form;
    if (!out || !form) { return; }
    var timer = null;
    var seq = 0;
    function refresh() {
      var mine = ++seq;
      var body = new URLSearchParams();
      body.set("body", textarea.value);
      fetch("/preview", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString()
      }).then(function (r) { return r.text(); }).then(function (html) {
        if (mine === seq) { out.innerHTML = html; }
      }).catch(function () {});
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
  }
  // Characters used out of the limit, counted as the server counts them
  // (code points, line breaks as one).
  function setupCounter(counter) {
    var area = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!area) { return; }
    var max = parseInt(area.getAttribute("maxlength"), 10);
    function update() {
      var n = Array.from(area.value.replace(/\r\n/g, "\n")).length;
      counter.textContent = n.toLocaleString(locale) + " / " + max.toLocaleString(locale) + " " + texts.characters;
      counter.classList.toggle("over", n > max);
    }
    counter.hidden = false;
    area.addEventListener("input", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var counters = document.querySelectorAll("[data-counter-for]");
    for (var j = 0; j < counters.length; j++) { setupCounter(counters[j]); }
    var areas = document.querySelectorAll("textarea[data-preview]");
    for (var i = 0; i < areas.length; i++) { setupPreview(areas[i]); }
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  });
})();
