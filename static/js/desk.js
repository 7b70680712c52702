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

  // The account menu (a <details>) closes on a click elsewhere and on Escape, like any menu.
  function closeAccountMenus(except) {
    document.querySelectorAll("details.account[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) { closeAccountMenus(event.target.closest("details.account")); });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") closeAccountMenus(null); });

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

  // Back/forward from the browser's page cache would show a form as it was, which then fails as "someone else
  // changed this reply": load the page again so it shows the reply as it is now.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && document.querySelector("form[method=post]")) window.location.reload();
  });

  // A session that expired while typing: the server answers the htmx request with HX-Redirect to the log-in
  // page. Keep the typed reply for this tab (sessionStorage, gone when the tab closes) and put it back after.
  var KEPT = "reviewdesk:kept-reply:";
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    var area = document.getElementById("reply-text");
    if (!area || !xhr || !xhr.getResponseHeader("HX-Redirect")) return;
    try { sessionStorage.setItem(KEPT + window.location.pathname, area.value); } catch (e) { /* storage off */ }
  });

  // The live check runs on "input changed", and htmx takes the editor's text as already seen when it sets up
  // that trigger (on the page's load, or when a swap brings a new editor). Text that got there before (typed
  // while the page's scripts or the swap were still settling, put back by the browser's form restoration, or
  // restored below after an expired session) was never checked, and the panel would show the server's verdict
  // on the text it rendered: ask for a check of what the editor holds now.
  function recheckIfEdited(area) {
    if (area && !area.readOnly && area.value !== area.defaultValue) area.dispatchEvent(new Event("recheck"));
  }
  document.addEventListener("htmx:load", function (event) {
    var root = event.detail.elt;
    recheckIfEdited(root.id === "reply-text" ? root : root.querySelector && root.querySelector("#reply-text"));
  });

  document.addEventListener("DOMContentLoaded", function () {
    var key = KEPT + window.location.pathname, kept = null;
    try { kept = sessionStorage.getItem(key); sessionStorage.removeItem(key); } catch (e) { return; }
    var area = document.getElementById("reply-text");
    if (kept === null || !area || area.readOnly || area.value === kept) return;
    area.value = kept;
    var note = document.createElement("p");
    note.className = "alert alert--warn";
    note.setAttribute("role", "status");
    note.textContent = "Your session had expired: the text you were typing is back. Save it to keep it.";
    area.parentNode.insertBefore(note, area);  // htmx's load of the page, just after this, has it checked
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

// A paste too big to send: the server never reads it, so this browser keeps it. Submitting a form marked
// data-keep-typed copies its fields to sessionStorage (this tab only). When the server answers that the
// request was too big (data-restore-typed) they are put back; on any other page the copies are dropped at once.
(function () {
  "use strict";
  var PREFIX = "reviewdesk.typed.";
  var FIELDS = "textarea[name], select[name], input[name]:not([type=hidden]):not([type=password]):not([type=file])";
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) return;
  var form = document.querySelector("form[data-keep-typed]");
  function keyFor(field) { return PREFIX + form.getAttribute("data-keep-typed") + "." + field.name; }
  if (form && form.hasAttribute("data-restore-typed")) {
    var restored = false;
    form.querySelectorAll(FIELDS).forEach(function (field) {
      var kept = store.getItem(keyFor(field));
      if (kept === null) return;
      field.value = kept;
      if (field.tagName === "TEXTAREA" && kept) restored = true;
    });
    var note = form.querySelector(restored ? "[data-typed-kept]" : "[data-typed-lost]");
    if (note) note.hidden = false;
  }
  // Collect first: removing while walking store.key(i) skips keys (their order is not stable).
  var kept = [];
  for (var i = 0; i < store.length; i++) {
    if ((store.key(i) || "").indexOf(PREFIX) === 0) kept.push(store.key(i));
  }
  kept.forEach(function (key) { store.removeItem(key); });
  if (!form) return;
  form.addEventListener("submit", function () {
    form.querySelectorAll(FIELDS).forEach(function (field) {
      try { store.setItem(keyFor(field), field.value); } catch (e) { /* over the browser's quota: not kept */ }
    });
  });
})();
