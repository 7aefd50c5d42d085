// Keyboard behaviour of the indicator editor. Everything works without this file; it only
// makes typing rows faster: Enter moves to the next field of the row (Shift+Enter is a line
// break in a description), Enter in the row's last field saves and opens a new row below,
// Escape cancels.
(function () {
  "use strict";

  function rowFields(form) {
    return Array.from(document.querySelectorAll(
      'input[form="' + form.id + '"]:not([type=hidden]), textarea[form="' + form.id + '"]'
    )).filter(function (el) { return el.offsetParent !== null; });
  }

  document.addEventListener("keydown", function (event) {
    var field = event.target;
    var formId = field.getAttribute && field.getAttribute("form");
    if (formId !== "rowform") return;
    var form = document.getElementById("rowform");
    if (!form) return;
    if (event.key === "Escape") {
      var cancel = document.querySelector("#tree tr.editing .cancel, #tree td.cat .cancel");
      if (cancel) { event.preventDefault(); cancel.click(); }
      return;
    }
    // Enter while an IME is composing Chinese only commits the characters.
    if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
    // Shift+Enter keeps a line break inside a description.
    if (field.tagName === "TEXTAREA" && event.shiftKey) return;
    event.preventDefault();
    if (field.dataset.last) {
      form.querySelector('input[name="next"]').value = "1";
      form.requestSubmit();
      return;
    }
    var fields = rowFields(form);
    var next = fields[fields.indexOf(field) + 1];
    if (next) next.focus(); else form.requestSubmit();
  });

  document.addEventListener("click", function (event) {
    var closer = event.target.closest && event.target.closest("[data-close]");
    if (!closer) return;
    var target = document.querySelector(closer.dataset.close);
    if (target) {
      event.preventDefault();
      target.innerHTML = "";
      if (closer.dataset.closeClass) target.className = closer.dataset.closeClass;
    }
  });

  // A finding's link scrolls to its row; the :target style highlights it. Re-trigger the
  // highlight when the same finding is clicked twice.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#lint-panel a[href^='#']");
    if (!link) return;
    var el = document.getElementById(link.getAttribute("href").slice(1));
    if (!el) return;
    el.scrollIntoView({ block: "center", behavior: "smooth" });
    el.classList.remove("flash"); void el.offsetWidth; el.classList.add("flash");
  });
})();
