// The idle warning (WCAG 2.2.1 Timing Adjustable). A signed-in session ends after a
// while without any request (30 minutes by default) and at most some hours after logging
// in (12). Some minutes before either end, this shows a dialog that says so; "Stay logged
// in" asks the server to note activity (the keep-alive endpoint), with the page's CSRF
// token. Times and texts come from the data- attributes of this script's own element
// (templates/auth/_session_timeout.html); there is no inline code anywhere.
(function () {
  "use strict";

  var script = document.getElementById("session-timeout");
  if (!script || !window.fetch) {
    return;
  }
  var data = script.dataset;
  var idleMs = parseInt(data.idleSeconds, 10) * 1000;
  var warningMs = parseInt(data.warningSeconds, 10) * 1000;
  if (!(idleMs > 0) || !(warningMs > 0)) {
    return;
  }
  var endsAt = data.endsInSeconds ? Date.now() + parseInt(data.endsInSeconds, 10) * 1000 : null;
  var lastActivity = Date.now(); // the request that brought this page counted as activity
  var maxAcknowledged = false;
  var timer = null;
  var dialog = null;
  var returnFocus = null;
  var state = null; // "idle", "max" or "ended" while the dialog is open

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      return headers["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function build() {
    dialog = element("dialog", {
      id: "session-warning",
      class: "session-warning",
      role: "alertdialog",
      "aria-modal": "true",
      "aria-labelledby": "session-warning-title",
      "aria-describedby": "session-warning-message",
    });
    dialog.appendChild(element("h2", { id: "session-warning-title" }));
    dialog.appendChild(element("p", { id: "session-warning-message" }));
    var button = element("button", { type: "button", class: "button primary" });
    button.addEventListener("click", primaryAction);
    dialog.appendChild(button);
    var link = element("a", { class: "button primary", href: data.loginUrl }, data.logIn);
    link.hidden = true;
    dialog.appendChild(link);
    // Escape means the person is there: for the warnings, the same as the button.
    dialog.addEventListener("cancel", function (event) {
      if (state !== "ended") {
        event.preventDefault();
        primaryAction();
      }
    });
    document.body.appendChild(dialog);
  }

  function show(kind) {
    if (!dialog) {
      build();
    }
    state = kind;
    var title = dialog.querySelector("h2");
    var message = dialog.querySelector("p");
    var button = dialog.querySelector("button");
    var link = dialog.querySelector("a");
    if (kind === "ended") {
      title.textContent = data.endedTitle;
      message.textContent = data.endedMessage;
      button.hidden = true;
      link.hidden = false;
    } else {
      title.textContent = data.title;
      message.textContent = kind === "idle" ? data.idleMessage : data.maxMessage;
      button.textContent = kind === "idle" ? data.stay : data.understood;
      button.hidden = false;
      link.hidden = true;
    }
    if (!dialog.open) {
      returnFocus = document.activeElement;
      if (dialog.showModal) {
        dialog.showModal();
      } else {
        dialog.setAttribute("open", "");
      }
    }
    (kind === "ended" ? link : button).focus();
  }

  function close() {
    state = null;
    if (dialog && dialog.open) {
      if (dialog.close) {
        dialog.close();
      } else {
        dialog.removeAttribute("open");
      }
    }
    if (returnFocus && returnFocus.focus && document.contains(returnFocus)) {
      returnFocus.focus();
    }
    returnFocus = null;
  }

  function schedule() {
    window.clearTimeout(timer);
    var now = Date.now();
    var idleEnd = lastActivity + idleMs;
    var end = endsAt !== null && endsAt < idleEnd ? endsAt : idleEnd;
    var kind = end === idleEnd ? "idle" : "max";
    var warnAt = end - warningMs;
    if (state === null && (kind === "idle" || !maxAcknowledged) && now < end) {
      timer = window.setTimeout(function () {
        show(kind);
        schedule();
      }, Math.max(0, warnAt - now));
    } else {
      timer = window.setTimeout(function () {
        show("ended");
      }, Math.max(0, end - now));
    }
  }

  function keepAlive() {
    return window
      .fetch(data.keepAliveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      })
      .then(function (response) {
        if (response.status === 401) {
          show("ended");
          return null;
        }
        if (!response.ok) {
          return null; // the dialog stays: the person can try again
        }
        return response.json().then(function (body) {
          lastActivity = Date.now();
          if (typeof body.ends_in_seconds === "number") {
            endsAt = Date.now() + body.ends_in_seconds * 1000;
          }
          close();
          schedule();
        });
      })
      .catch(function () {
        return null;
      });
  }

  function primaryAction() {
    if (state === "idle") {
      keepAlive();
    } else if (state === "max") {
      maxAcknowledged = true;
      close();
      schedule();
    }
  }

  // Any request of this page (htmx: a vote, an autosave, a filter) is activity too.
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.status && xhr.status !== 401 && state !== "ended") {
      lastActivity = Date.now();
      if (state === null) {
        schedule();
      }
    }
  });

  schedule();
})();
