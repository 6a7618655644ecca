/* Session idle timeout (svu/sessions.py): warn before the server ends an idle session, and let
   the user stay logged in. No inline script: the settings come from data attributes. */
(function () {
  "use strict";
  var box = document.getElementById("idle-warning");
  if (!box) { return; }
  var idle = parseInt(box.dataset.idleSeconds, 10) * 1000;
  var warn = parseInt(box.dataset.warnSeconds, 10) * 1000;
  var warnTimer = null;
  var endTimer = null;

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    box.hidden = true;
    warnTimer = setTimeout(function () { box.hidden = false; }, Math.max(0, idle - warn));
    endTimer = setTimeout(function () {
      window.location.assign(box.dataset.loginUrl);
    }, idle + 1000);
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  document.getElementById("idle-continue").addEventListener("click", function () {
    fetch(box.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      if (response.ok) { schedule(); } else { window.location.assign(box.dataset.loginUrl); }
    });
  });
  schedule();
})();
