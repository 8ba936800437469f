// Connectors Admin: the little behaviour htmx does not cover. No inline scripts (CSP).
(function () {
  "use strict";

  // When htmx inserts new content that announces an outcome (a result or an error), move focus
  // there so keyboard and screen-reader users land on what just changed. Inline field checks
  // carry no such marker, so they never steal focus from the field being typed in.
  document.addEventListener("htmx:load", function (event) {
    var root = event.target;
    if (!root || root === document.body) return;
    var focus = root.matches("[data-focus]") ? root : root.querySelector("[data-focus]");
    if (focus) {
      if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
      focus.focus();
    }
  });

  // On a full page load that announces an outcome, start there (an error summary first).
  document.addEventListener("DOMContentLoaded", function () {
    var outcome = document.querySelector(".alert-error[data-focus]") ||
                  document.querySelector("[data-focus]");
    if (outcome) outcome.focus();
  });

  // "Copy" buttons: data-copy="#selector" copies that element's text.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });

  // "Select all on this page": a header checkbox (data-select-all="name") ticks every box of
  // that name in its form.
  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all.matches("input[data-select-all]")) return;
    var boxes = all.form.querySelectorAll('input[type="checkbox"][name="' + all.getAttribute("data-select-all") + '"]');
    Array.prototype.forEach.call(boxes, function (box) { box.checked = all.checked; });
  });

  // A check or a re-render answered late never takes back what was typed meanwhile: what
  // changed in the form while a request was in flight is put back into what it swaps in (the
  // newer change has its own request, queued behind this one).
  var inFlight = new WeakMap();

  function formValues(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || /^(file|submit|button|reset)$/.test(el.type)) return;
      var list = values[el.name] || (values[el.name] = []);
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) list.push(el.value);
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { list.push(o.value); });
      } else {
        list.push(el.value);
      }
    });
    return values;
  }

  function setValues(form, name, list) {
    var fields = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    var typed = 0;
    Array.prototype.forEach.call(fields, function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = list.indexOf(el.value) >= 0;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = list.indexOf(o.value) >= 0; });
      } else if (el.type !== "file") {
        el.value = typed < list.length ? list[typed] : "";
        typed += 1;
      }
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt, target = event.detail.target;
    var form = elt && elt.closest ? elt.closest("form") : null;
    // Only swaps inside the form (a field, the template's fields), not a whole new panel.
    if (form && target && target !== form && form.contains(target)) {
      inFlight.set(event.detail.xhr, { form: form, sent: formValues(form) });
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var flight = inFlight.get(event.detail.xhr);
    if (!flight) return;
    var now = formValues(flight.form), changed = {};
    Object.keys(now).concat(Object.keys(flight.sent)).forEach(function (name) {
      if (JSON.stringify(now[name] || []) !== JSON.stringify(flight.sent[name] || [])) {
        changed[name] = now[name] || [];
      }
    });
    flight.changed = changed;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var flight = inFlight.get(event.detail.xhr);
    if (!flight || !flight.changed) return;
    Object.keys(flight.changed).forEach(function (name) {
      setValues(flight.form, name, flight.changed[name]);
    });
  });

  // A button disabled while its request runs would drop focus to the page: focus goes to the
  // request's busy message instead ("Sending to Mixpanel…"), which says what is happening.
  document.addEventListener("htmx:beforeSend", function (event) {
    var active = document.activeElement;
    if (active && active !== document.body && !active.disabled) return;
    var elt = event.detail.elt;
    var selector = elt && elt.getAttribute ? elt.getAttribute("hx-indicator") : null;
    var busy = selector ? document.querySelector(selector) : null;
    if (busy) {
      busy.setAttribute("tabindex", "-1");
      busy.focus();
    }
  });

  // A polling table never wipes what someone is doing in it: skip the poll while a box is
  // ticked, while "Apply to" says other than its default, or while focus is inside the table.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    if (!source || source.id !== "connector-table") return;  // only the table's own poll
    var scope = source.querySelector('select[name="scope"]');
    if (source.querySelector('input[name="connector"]:checked') ||
        (scope && scope.selectedIndex > 0) ||
        source.contains(document.activeElement)) {
      event.preventDefault();
    }
  });

  // Paging and sorting from the table's own links: focus goes to the count of what is shown,
  // not back to the top of the page (the link pressed was swapped away).
  document.addEventListener("htmx:afterSettle", function (event) {
    var from = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!from || !from.closest || !from.closest(".pager")) return;
    var count = document.getElementById("connector-count");
    if (count) count.focus();
  });

  // The header's team switcher submits when picked with a pointer. From the keyboard, arrows
  // only move through the teams (Chrome fires "change" on each): the Switch button submits.
  var keyboardPick = false;
  document.addEventListener("keydown", function (event) {
    if (event.target.matches && event.target.matches("select[data-autosubmit]")) keyboardPick = true;
  });
  document.addEventListener("pointerdown", function () { keyboardPick = false; });
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]") && !keyboardPick) {
      event.target.form.requestSubmit();
    }
  });

  // A search box over a long select (a provider's catalogue): hide the options that do not match.
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches("input[data-filter-select]")) return;
    var select = document.querySelector(box.getAttribute("data-filter-select"));
    if (!select) return;
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(select.querySelectorAll("option"), function (option) {
      var text = (option.textContent + " " + option.value + " " +
                  (option.parentElement.label || "")).toLowerCase();
      option.hidden = option.value !== "" && !words.every(function (w) { return text.indexOf(w) >= 0; });
    });
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
  });

  // A failed request (network down, server error) must never fail silently.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    announce("The server answered with an error (HTTP " + status + "). Nothing was lost: try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    announce("Could not reach Connectors Admin. Check your connection and try again.");
  });

  function announce(text) {
    var box = document.getElementById("client-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "client-error";
      box.className = "alert alert-error";
      box.setAttribute("role", "alert");
      var main = document.getElementById("main");
      main.insertBefore(box, main.firstChild);
    }
    box.textContent = text;
  }
})();
