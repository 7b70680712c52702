// ReviewDesk's own small enhancements. Everything works without this file except the copy button.
(function () {
  "use strict";

  function copyFallback(text) {
    // For pages served over plain HTTP on a LAN, where navigator.clipboard is unavailable.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-text]");
    if (!button) return;
    var text = button.getAttribute("data-copy-text");
    var copying = navigator.clipboard && window.isSecureContext
      ? navigator.clipboard.writeText(text).catch(function () { return copyFallback(text); })
      : copyFallback(text);
    var label = button.textContent;
    copying.then(function () {
      button.textContent = "Copied ✓";
      button.classList.add("copied");
    }, function () {
      button.textContent = "Select the text and copy it by hand";
    }).then(function () {
      setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 2500);
    });
  });
})();

// The idle-session warning: two minutes before the server ends an unused session (SESSION_IDLE_MINUTES),
// show a banner whose button keeps the session; any request the page makes (htmx) counts as activity.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body && body.getAttribute("data-session-idle-seconds"), 10);
  var banner = document.querySelector(".session-warning");
  if (!idle || !banner) return;
  var timer;
  function arm() {
    banner.hidden = true;
    clearTimeout(timer);
    timer = setTimeout(function () { banner.hidden = false; }, Math.max(idle - 120, 30) * 1000);
  }
  document.addEventListener("htmx:afterRequest", arm);
  banner.querySelector("[data-session-keepalive]").addEventListener("click", function () {
    var token = document.querySelector("[name=csrfmiddlewaretoken]");
    fetch(body.getAttribute("data-session-keepalive-url"), {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": token ? token.value : ""},
    }).then(arm);
  });
  arm();
})();
