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

  // An inline check of a field (run as it is left) comes back with its error beside it, while
  // focus is already on the next field: a screen reader would not hear it. Say it in the page's
  // polite live region (base.html), which is there from the start, so it is read out.
  // Once the field is put right, that is said in turn ("Bucket: corrected."), so the error is
  // not the last word; an outcome that takes focus (a result, an error summary) clears it.
  function sayInPage(said, words, field) {
    said.textContent = "";  // the same words again are a new announcement
    clearTimeout(said.sayTimer);
    if (field) said.dataset.field = field; else delete said.dataset.field;
    if (!words) return;
    said.sayTimer = setTimeout(function () { said.textContent = words; }, 50);
  }
  document.addEventListener("htmx:load", function (event) {
    var wrap = event.target;
    var said = document.getElementById("page-said");
    if (!said || !wrap || !wrap.matches) return;
    if (!wrap.matches(".field-wrap")) {
      if (wrap.matches("[data-focus]") || wrap.querySelector("[data-focus]")) sayInPage(said, "");
      return;
    }
    var name = wrap.querySelector("label, legend");
    var label = name ? name.textContent.replace(/\s+/g, " ").trim() : "";
    var field = wrap.id || label;
    var errors = wrap.querySelector(".errorlist");
    if (errors) {
      sayInPage(said, (label ? label + ": " : "") + errors.textContent.replace(/\s+/g, " ").trim(), field);
    } else if (said.dataset.field === field) {
      sayInPage(said, (label ? label + ": " : "") + "corrected.");
    }
  });

  // On a full page load that announces an outcome, start there (an error summary first).
  document.addEventListener("DOMContentLoaded", function () {
    var outcome = document.querySelector(".alert-error[data-focus]") ||
                  document.querySelector("[data-focus]");
    if (outcome) outcome.focus();
  });

  // "Copy" buttons: data-copy="#selector" copies that element's text. Where the browser gives
  // no clipboard (plain http on another host than localhost), the text is selected instead and
  // the button says which keys copy it.
  function sayOnButton(button, words) {
    if (!button.dataset.label) button.dataset.label = button.textContent;
    button.textContent = words;
    clearTimeout(button.sayTimer);
    button.sayTimer = setTimeout(function () { button.textContent = button.dataset.label; }, 3000);
  }
  function selectToCopy(button, source) {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    sayOnButton(button, /Mac|iPhone|iPad/.test(navigator.platform) ? "Selected: press \u2318C" : "Selected: press Ctrl+C");
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    if (!navigator.clipboard) { selectToCopy(button, source); return; }
    navigator.clipboard.writeText(source.textContent).then(
      function () { sayOnButton(button, "Copied"); },
      function () { selectToCopy(button, source); }
    );
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

  // The connector list's filters go into the address bar: only those that are set, so that
  // the address reads (and is shared) as what the list shows, not nine empty names.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("#connector-filters") : null;
    var data = event.detail.formData;
    if (!form || event.detail.verb !== "get" || !data) return;
    Array.from(data.keys()).forEach(function (name) {
      if (data.getAll(name).every(function (value) { return value === ""; })) data.delete(name);
    });
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt, target = event.detail.target;
    var form = elt && elt.closest ? elt.closest("form") : null;
    if (!form || !target || target === form) return;
    // A swap inside the form (a field, the template's fields) or of a panel that holds it (a
    // connection check, a create that fails): either way the form comes back.
    if (form.contains(target) || target.contains(form)) {
      inFlight.set(event.detail.xhr, {
        form: form,
        action: form.getAttribute("action"),
        sent: formValues(form),
        holdsFields: Boolean(form.querySelector("[data-holds-fields]")),
      });
    }
  });
  // What was typed into fields that a re-render took away (another connector class picked, say)
  // is put back when those fields come back (the first class picked again), while the page is
  // open: by form, by field name. Not secrets: a password is never kept outside its field.
  var typedBefore = {};

  function keepsNoCopy(field) {  // a password, a secret's text area (write-only), a file
    return /^(password|hidden|file)$/.test(field.type) || field.hasAttribute("data-write-only");
  }

  function remember(flight, now) {
    var memory = typedBefore[flight.action] || (typedBefore[flight.action] = {});
    Object.keys(now).forEach(function (name) {
      var field = flight.form.querySelector('[name="' + CSS.escape(name) + '"]');
      if (field && !keepsNoCopy(field)) memory[name] = now[name];
    });
  }

  function putBackTyped(flight, form) {
    if (flight.holdsFields) {
      // The request carried a field that holds all the others (a raw JSON editor): what it
      // says wins over anything remembered from the fields before.
      delete typedBefore[flight.action];
      return null;
    }
    var memory = typedBefore[flight.action] || {}, reload = null;
    Object.keys(memory).forEach(function (name) {
      if (name in flight.sent || name in flight.changed) return;  // the server had it
      var field = form.querySelector('[name="' + CSS.escape(name) + '"]');
      if (!field || keepsNoCopy(field)) return;
      var before = JSON.stringify(formValues(form)[name] || []);
      setValues(form, name, memory[name]);
      var reloads = (field.getAttribute("hx-post") || "").indexOf("/fields/") >= 0;
      if (reloads && !reload && JSON.stringify(formValues(form)[name] || []) !== before) reload = field;
    });
    return reload;  // a field whose value shapes the form: the form is asked for again
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var flight = inFlight.get(event.detail.xhr);
    if (!flight) return;
    var now = formValues(flight.form), changed = {}, shown = {};
    remember(flight, now);
    Object.keys(now).concat(Object.keys(flight.sent)).forEach(function (name) {
      if (JSON.stringify(now[name] || []) !== JSON.stringify(flight.sent[name] || [])) {
        changed[name] = now[name] || [];
        shown[name] = flight.form.querySelector('[name="' + CSS.escape(name) + '"]');
      }
    });
    flight.changed = changed;
    flight.shown = shown;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var flight = inFlight.get(event.detail.xhr);
    if (!flight || !flight.changed || flight.restored) return;  // once per request
    flight.restored = true;
    var form = flight.form.isConnected ? flight.form : Array.prototype.find.call(
      document.querySelectorAll("form"),
      function (f) { return f.getAttribute("action") === flight.action; });
    if (!form) return;  // the form is gone (the connector was created)
    flight.restoredIn = form;
    Object.keys(flight.changed).forEach(function (name) {
      setValues(form, name, flight.changed[name]);
    });
    flight.reload = putBackTyped(flight, form);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var flight = inFlight.get(event.detail.xhr);
    if (!flight || !flight.restoredIn || flight.asked) return;
    flight.asked = true;
    // The check or reload a change had queued left with the element the swap replaced: ask for
    // it again, now that the new elements are wired, with the values now shown.
    Object.keys(flight.changed).forEach(function (name) {
      var field = flight.restoredIn.querySelector('[name="' + CSS.escape(name) + '"]');
      if (field && field !== flight.shown[name]) {
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    if (flight.reload && flight.reload.isConnected) {
      flight.reload.dispatchEvent(new Event("change", { bubbles: true }));
    }
    drainQueue(flight.restoredIn);
  });

  // htmx 2.0 drops a queued request whose element a swap removed, and then stops taking the
  // next ones from the queue until another request ends: those would never be sent. Once a
  // request has settled, send what is still queued (its internal data, pinned to the vendored
  // version by the browser tests).
  function drainQueue(form) {
    var data = form && form["htmx-internal-data"];
    while (data && !data.xhr && data.queuedRequests && data.queuedRequests.length) {
      data.queuedRequests.shift()();
    }
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    [event.target, event.detail && event.detail.elt].some(function (elt) {
      var form = elt && elt.isConnected && elt.closest ? elt.closest("form") : null;
      if (form) drainQueue(form);
      return Boolean(form);
    });
  });

  // A button disabled while its request runs would drop focus to the page: focus goes to the
  // request's busy message instead ("Sending to Mixpanel…"), which says what is happening.
  document.addEventListener("htmx:beforeSend", function (event) {
    var active = document.activeElement;
    if (active && active !== document.body && !active.disabled) return;
    var elt = event.detail.elt;
    var host = elt && elt.closest ? elt.closest("[hx-indicator]") : null;  // as htmx inherits it
    var busy = host ? document.querySelector(host.getAttribute("hx-indicator")) : null;
    if (busy) {
      busy.setAttribute("tabindex", "-1");
      busy.focus();
    }
  });
  // When the request ends without an outcome taking focus (an error, say), it leaves the busy
  // message, which hides: to the error said, else back to where it started, else the page.
  document.addEventListener("htmx:afterRequest", function (event) {
    var active = document.activeElement;
    if (!active || !active.classList || !active.classList.contains("htmx-indicator")) return;
    var error = document.getElementById("client-error");
    var elt = event.detail.elt;
    var back = error || (elt && elt.isConnected && !elt.disabled ? elt : document.getElementById("main"));
    if (back) {
      if (!back.hasAttribute("tabindex") && back === error) back.setAttribute("tabindex", "-1");
      back.focus();
    }
  });

  // A polling table never wipes what someone is doing in it: skip the poll while a box is
  // ticked, while "Apply to" says other than its default, or while focus is on its rows, its
  // bulk controls or its pager (the count, where paging leaves focus, keeps its id: htmx puts
  // focus back on it).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    if (!source || source.id !== "connector-table") return;  // only the table's own poll
    var scope = source.querySelector('select[name="scope"]');
    var rows = source.querySelector("form.bulk"), pager = source.querySelector(".pager");
    var active = document.activeElement;
    if (source.querySelector('input[name="connector"]:checked') ||
        (scope && scope.selectedIndex > 0) ||
        (rows && rows.contains(active)) || (pager && pager.contains(active))) {
      event.preventDefault();
    }
  });

  // Any other polling panel (a connector's record while its provider settles it, a credential's
  // test, a lost create's lookup) waits while someone is in it: focus on one of its buttons or
  // links, or a section of it opened (the record's JSON). A swap would drop the focus and close
  // the section; the poll goes on once they leave it.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    if (!source || !source.getAttribute || !/^every /.test(source.getAttribute("hx-trigger") || "")) return;
    if (source.id === "connector-table") return;  // its own rule, above
    // Focus on a control (not on an outcome the page moved it to, which reads as well after).
    var active = document.activeElement;
    var onControl = active && active.matches &&
        active.matches("a, button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])");
    if ((onControl && source.contains(active)) || source.querySelector("details[open]")) {
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

  // Enter in a list's search box filters, it never submits the form around it: with one
  // option left it picks that one; otherwise it moves to the list, to choose from what is left.
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key !== "Enter" || !box.matches || !box.matches("input[data-filter-select]")) return;
    event.preventDefault();
    var select = document.querySelector(box.getAttribute("data-filter-select"));
    if (!select) return;
    var left = Array.prototype.filter.call(select.options, function (o) { return o.value !== "" && !o.hidden; });
    if (left.length === 1) {
      select.value = left[0].value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    } else {
      select.focus();
    }
  });

  // A failed request (network down, server error) must never fail silently.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    announce("The server answered with an error (HTTP " + status + "). Nothing was lost: try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    announce("Could not reach Connectors Admin. Check your connection and try again.");
  });

  // Buttons that only work once another script has hooked them (allauth's passkey button, hooked
  // when the page's content is loaded): enabled after it, so that an early click does not send
  // their form empty. This listener is added after allauth's, so it runs after it.
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-enabled-by-script]"), function (button) {
      button.disabled = false;
    });
  });

  // A passkey or security key the browser refused (allauth's scripts say so only in the
  // console): said on the page, in words.
  document.addEventListener("allauth.error", function (event) {
    var error = event.detail && event.detail.exception;
    var name = error && error.name;
    event.preventDefault();
    if (name === "SecurityError") {
      announce("This browser does not allow passkeys or security keys at this address: open " +
               "Connectors Admin by its name (such as http://localhost:" + (location.port || "80") +
               "/), not by an IP address. Nothing was changed.");
    } else if (name === "NotAllowedError" || name === "AbortError") {
      announce("The passkey or security key was not used: it was cancelled, timed out, or none " +
               "here matches. Nothing was changed: try again.");
    } else {
      announce("The passkey or security key did not work" + (name ? " (" + name + ")" : "") +
               ". Nothing was changed: try again.");
    }
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
