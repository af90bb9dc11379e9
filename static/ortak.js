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
})();
