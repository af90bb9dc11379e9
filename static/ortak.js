// Ortak's small enhancements on top of htmx. No inline scripts anywhere (a strict CSP
// comes), so behaviour that needs JavaScript lives here, served with `defer`.
(function () {
  "use strict";

  // After htmx swaps a region in, move focus to what the server marked with `data-focus`:
  // the new or edited comment, or the first invalid field of a form that came back.
  function findMarked(root) {
    if (!root || !root.querySelector) {
      return null;
    }
    if (root.matches && root.matches("[data-focus]")) {
      return root;
    }
    return root.querySelector("[data-focus]");
  }

  function focusMarked(event) {
    // First within what was swapped in, then anywhere (the swapped element may be gone).
    var marked = findMarked(event.target) || findMarked(document);
    if (!marked) {
      return;
    }
    marked.removeAttribute("data-focus");
    var target = marked;
    if (marked.tagName === "FORM") {
      target =
        marked.querySelector("[aria-invalid='true']") ||
        marked.querySelector("textarea, input:not([type='hidden']), select") ||
        marked;
    }
    if (!target.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }

  document.addEventListener("htmx:afterSettle", focusMarked);

  // A vote panel's live region says what a vote just did, with the budget left at that
  // moment. Once another panel is used that sentence is out of date: clear it (the page's
  // one #ballot-summary, refreshed out of band, keeps the current budget).
  function clearOtherVoteStatuses(event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.classList || !target.classList.contains("vote-panel")) {
      return;
    }
    document.querySelectorAll(".vote-panel .vote-status").forEach(function (status) {
      if (!target.contains(status)) {
        status.textContent = "";
        status.classList.remove("vote-refused");
      }
    });
  }

  document.addEventListener("htmx:beforeRequest", clearOtherVoteStatuses);

  // A live region is read out when its content changes while it is on the page; one that
  // comes in with a swapped block already holding its message ("Your comment was
  // published.", the number of proposals found, "Draft saved") is not reliably read. So
  // that message is taken out and put back a moment later, once the region is in place.
  var POLITE = "[role='status'], [aria-live='polite']";

  function announceArrived(event) {
    var root = event.target;
    if (!event.detail || !event.detail.xhr || !root || !root.querySelectorAll) {
      return; // only answers to requests: a page put back by Back says nothing new
    }
    var regions = Array.prototype.slice.call(root.querySelectorAll(POLITE));
    if (root.matches && root.matches(POLITE)) {
      regions.unshift(root);
    }
    regions.forEach(function (region) {
      if (!region.textContent.trim()) {
        return;
      }
      var message = Array.prototype.slice.call(region.childNodes);
      message.forEach(function (node) { region.removeChild(node); });
      window.setTimeout(function () {
        message.forEach(function (node) { region.appendChild(node); });
      }, 150);
    });
  }

  document.addEventListener("htmx:afterSettle", announceArrived);

  // Back and Forward: htmx puts back a copy of the page taken before the address changed.
  // The copy keeps the list but not what was typed or chosen in a search form, which must
  // say what the address (and so the list) says.
  function fillSearchFormsFromAddress() {
    var params = new URLSearchParams(window.location.search);
    document.querySelectorAll("form[role='search']").forEach(function (form) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || /^(submit|button|reset|hidden)$/.test(el.type)) {
          return;
        }
        var value = params.get(el.name);
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = params.getAll(el.name).indexOf(el.value) !== -1;
        } else if (el.tagName === "SELECT") {
          el.value = value === null ? "" : value;
          if (el.selectedIndex === -1) {
            el.selectedIndex = 0; // absent or unknown: the first choice, as the server does
          }
        } else {
          el.value = value === null ? "" : value;
        }
      });
    });
  }

  document.addEventListener("htmx:historyRestore", fillSearchFormsFromAddress);
})();
