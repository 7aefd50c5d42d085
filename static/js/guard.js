// No lost input, on every page (base.html loads this file; everything works without it).
//
// 1. Leaving a page — a link, the back button, closing the tab — while a form holds typed
//    text that was not saved asks first (the browser's own "leave site?" dialog). A form
//    counts as unsaved when a field differs from what the server rendered into it, or when it
//    shows a refused save (its typed text came back with a message).
// 2. An htmx request that would replace such a form from outside it (opening another row in
//    the indicator editor while one is being typed) asks first too.
// 3. A form or button with data-confirm="…" asks that question before it submits: deletes
//    and other actions that cannot be undone.
// Forms that only read (method GET) and forms marked data-unsaved="off" are not watched.
(function () {
  "use strict";

  var submitting = null;
  var leaving = false;

  function watched(form) {
    return (
      form.isConnected &&
      (form.getAttribute("method") || "get").toLowerCase() === "post" &&
      form.dataset.unsaved !== "off"
    );
  }

  function changed(field) {
    if (field.type === "hidden" || field.type === "submit" || field.type === "button") return false;
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (o) {
        return o.selected !== o.defaultSelected;
      });
    }
    return typeof field.defaultValue === "string" && field.value !== field.defaultValue;
  }

  var REFUSAL = ".errors, .errorlist";

  function refused(form) {
    // A refused save renders its messages beside the fields, which may sit outside the form.
    return form.querySelector(REFUSAL) !== null ||
      Array.prototype.some.call(form.elements, function (f) {
        return f.type !== "hidden" && f.parentElement && f.parentElement.querySelector(REFUSAL);
      });
  }

  function unsaved(form) {
    if (!watched(form) || form === submitting) return false;
    return Array.prototype.some.call(form.elements, changed) || refused(form);
  }

  function unsavedForms(root) {
    var forms = Array.prototype.slice.call(document.forms).filter(unsaved);
    if (!root) return forms;
    return forms.filter(function (form) {
      if (root.contains(form)) return true;
      // Fields may sit outside their form (form="rowform"): a field inside root counts.
      return Array.prototype.some.call(form.elements, function (f) { return root.contains(f); });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var asker = (event.submitter && event.submitter.dataset.confirm) || form.dataset.confirm;
    if (asker) {
      if (!window.confirm(asker)) {
        event.preventDefault();
        return;
      }
      // The server asks again unless told (perfgoals/confirmation.py).
      if (!form.querySelector("input[name=confirmed]")) {
        var confirmed = document.createElement("input");
        confirmed.type = "hidden";
        confirmed.name = "confirmed";
        confirmed.value = "1";
        form.appendChild(confirmed);
      }
    }
    submitting = form;
  }, true);

  window.addEventListener("beforeunload", function (event) {
    if (!leaving && unsavedForms(null).length) {
      event.preventDefault();
      event.returnValue = "";  // older browsers need a value to show their dialog
    }
    submitting = null;
  });

  // The session expired during an htmx request: the server sends the browser to the login
  // page with the typed text in the way back (perfgoals/operations/middleware.py), so this
  // navigation loses nothing and must not ask.
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.getResponseHeader("X-Login-Resume")) leaving = true;
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var detail = event.detail;
    var from = detail.elt;
    var target = detail.target;
    if (!target) return;
    // A link inside the row being typed (a level change carries the text along; 取消 is the
    // user discarding it on purpose) loses nothing by surprise.
    if (from && from.closest && from.closest("tr.editing")) return;
    var lost = unsavedForms(target).filter(function (form) {
      // The form's own save (or a button of it) is not losing it.
      return from !== form && !form.contains(from) && from.form !== form &&
        from.getAttribute("form") !== form.id;
    });
    if (lost.length && !window.confirm("有未保存的修改，离开后将丢失。确定放弃这些修改吗？")) {
      event.preventDefault();
    }
  });
})();
