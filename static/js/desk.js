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
