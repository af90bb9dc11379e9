// Keeps a copy of a form being written in this browser (localStorage), so that a closed
// tab, an expired session or a failed save loses nothing. The server keeps drafts too
// (htmx autosave); this covers the moments the server cannot be reached.
(function () {
  "use strict";
  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.name !== "creation_key" && el.type !== "submit";
    });
  }
  function snapshot(form) {
    var data = {};
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        data[el.name + "=" + el.value] = el.checked;
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }
  function restore(form, data) {
    var restored = false;
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        var key = el.name + "=" + el.value;
        if (key in data && el.checked !== data[key]) { el.checked = data[key]; restored = true; }
      } else if (el.name in data && !el.value && data[el.name]) {
        el.value = data[el.name];
        restored = true;
      }
    });
    return restored;
  }
  document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
    var key = "ortak-draft:" + form.getAttribute("data-draft-key");
    var saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (saved && restore(form, saved)) {
      var status = form.querySelector("#autosave-status");
      if (status) { status.textContent = form.getAttribute("data-restored-message") || ""; }
    }
    var store = function () {
      try { window.localStorage.setItem(key, JSON.stringify(snapshot(form))); } catch (e) { /* full or disabled */ }
    };
    form.addEventListener("input", store);
    form.addEventListener("change", store);
    var forget = function () {
      try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
    };
    form.addEventListener("submit", forget);
    // Once the server has the draft, the browser copy is no longer needed.
    document.body.addEventListener("htmx:afterSwap", function (event) {
      var target = event.detail && event.detail.target;
      var status = document.getElementById("autosave-status");
      if (status && status.getAttribute("data-saved") === "1" && form.contains(status)) { forget(); }
      return target;
    });
  });
})();
