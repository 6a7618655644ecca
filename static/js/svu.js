// SVU pages: the date picker beside date and time fields, and the address of a page sent back
// after a form post. No library; loaded with defer on every page (templates/base.html).
(function () {
  "use strict";

  // Date and time fields are text inputs showing 2026-11-29 and 14:02 whatever the browser's
  // language (Chromium writes <input type=date> in the browser's locale). The button opens the
  // browser's own calendar through a hidden native input and writes the ISO value back.
  var ICON = '<svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24">' +
    '<path fill="currentColor" d="M7 2h2v2h6V2h2v2h3a1 1 0 0 1 1 1v15a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h3V2zm12 8H5v9h14v-9zM5 8h14V6H5v2z"/></svg>';

  function addPicker(input) {
    var withTime = input.getAttribute("data-picker") === "datetime";
    var native = document.createElement("input");
    native.type = withTime ? "datetime-local" : "date";
    native.className = "picker-native";
    native.tabIndex = -1;
    native.setAttribute("aria-hidden", "true");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "picker";
    button.setAttribute("aria-label", input.getAttribute("data-picker-label") || "Kalender");
    button.innerHTML = ICON;
    button.addEventListener("click", function () {
      var typed = input.value.trim().replace(" ", "T");
      native.value = withTime ? typed.slice(0, 16) : typed.slice(0, 10);
      if (typeof native.showPicker === "function") {
        try { native.showPicker(); return; } catch (e) { /* not allowed here: focus instead */ }
      }
      native.focus();
    });
    native.addEventListener("change", function () {
      if (native.value) {
        input.value = native.value.replace("T", " ");
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
      input.focus();
    });
    var wrap = document.createElement("span");
    wrap.className = "with-picker";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    wrap.appendChild(button);
    wrap.appendChild(native);
  }

  function init(root) {
    Array.prototype.forEach.call(root.querySelectorAll("input[data-picker]"), function (input) {
      if (!input.parentNode.classList.contains("with-picker")) { addPicker(input); }
    });
  }

  // A page sent back after a post (errors, warnings, a changed episode) shows the episode's
  // own address: reloading then opens the page instead of sending the form again.
  var canonical = document.querySelector('meta[name="svu-canonical"]');
  if (canonical && window.history.replaceState && location.pathname !== canonical.content) {
    window.history.replaceState(null, "", canonical.content + location.hash);
  }

  init(document);
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });

  // A list that refreshes itself (Att göra: data-refresh-seconds) asks for its rows every so
  // many seconds while the page is visible, and when the window gets focus or the tab is shown
  // again; the server answers 204 while nothing changed. A custom event rather than htmx's
  // "every 60s [condition]": htmx evaluates such conditions with eval, which the
  // Content-Security-Policy refuses.
  function refresh() {
    if (!window.htmx) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-refresh-seconds]"), function (el) {
      window.htmx.trigger(el, "svu:refresh");
    });
  }
  var refreshing = document.querySelector("[data-refresh-seconds]");
  if (refreshing) {
    var seconds = Math.max(parseInt(refreshing.getAttribute("data-refresh-seconds"), 10) || 60, 60);
    window.setInterval(function () {
      if (document.visibilityState === "visible") { refresh(); }
    }, seconds * 1000);
    window.addEventListener("focus", refresh);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { refresh(); }
    });
  }
})();
