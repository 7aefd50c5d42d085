// Keyboard behaviour of the indicator editor. Everything works without this file; it only
// makes typing rows faster: Enter moves to the next field of the row (Shift+Enter is a line
// break in a description), Enter in the row's last field saves and opens the next row (the
// server picks it: a 一级/二级 goes on with its first child, a 三级 with its next sibling),
// Alt+→ / Alt+← move the row being typed one level down / up, Escape cancels.
// Tab is left alone so that it always moves between fields and out of the row; Enter on a
// button activates it; Escape closes panels and menus; the focus survives htmx swaps.
(function () {
  "use strict";

  // A save or level change is on its way: the row's fields are about to be replaced, and the
  // new row's form is wired to htmx only once the swap has settled. An Enter or a level change
  // typed meanwhile waits for it (else the browser would post the form itself and reload).
  var busy = false;
  var queued = null; // "enter", "in" or "out"

  function settled() {
    busy = false;
    var form = document.getElementById("rowform");
    if (!form) return;
    // The cursor goes to the first field the server refused (its message sits under it),
    // else to the row's first field.
    var refused = rowFields(form).filter(hasError)[0];
    var target = refused || document.getElementById("rowform-name");
    if (target && document.activeElement !== target) target.focus();
    var action = queued;
    queued = null;
    if (action === "enter") enter(document.activeElement, form);
    else if (action) shiftLevel(action);
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target.id === "tree") settled();
  });
  // A row someone else saved meanwhile lists their value under each field that differs;
  // 「采用」 puts it in the field, so the user picks field by field without retyping.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".take-theirs");
    if (!button) return;
    var field = document.getElementById(button.dataset.target);
    if (!field) return;
    field.value = button.dataset.value;
    field.focus();
  });
  document.addEventListener("htmx:responseError", function () { busy = false; });
  document.addEventListener("htmx:sendError", function () { busy = false; });
  // Without htmx's swap (a full page after a refused save or a level change without
  // JavaScript), the #row-new fragment keeps the browser from honouring autofocus.
  document.addEventListener("DOMContentLoaded", function () {
    if (document.getElementById("rowform")) settled();
  });

  // A field's message follows it among its siblings, before the next label or field.
  function hasError(field) {
    for (var el = field.nextElementSibling; el; el = el.nextElementSibling) {
      if (el.classList.contains("errorlist")) return true;
      if (/^(LABEL|INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) return false;
    }
    return false;
  }

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
    if (event.altKey && (event.key === "ArrowRight" || event.key === "ArrowLeft")) {
      // Alt+← is also the browser's Back: never let it leave the page with the typing.
      event.preventDefault();
      var direction = event.key === "ArrowRight" ? "in" : "out";
      if (busy) queued = direction; else shiftLevel(direction);
      return;
    }
    // 保存 / 保存并加一行 / 取消: Enter activates a button as it does everywhere else.
    if (field.tagName === "BUTTON" || field.type === "submit") return;
    // Enter while an IME is composing Chinese only commits the characters.
    if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
    // Shift+Enter keeps a line break inside a description.
    if (field.tagName === "TEXTAREA" && event.shiftKey) return;
    event.preventDefault();
    if (busy) { queued = "enter"; return; }
    enter(field, form);
  });

  // The row being typed one level down ("in") or up ("out"): its 降一级 / 升一级 link, which
  // takes the typed text along. A row being edited has no such link and keeps its level.
  function shiftLevel(direction) {
    var link = document.querySelector('#row-new [data-shift="' + direction + '"]');
    if (link) { busy = true; link.click(); }
  }

  // Enter in a field of the row being typed: the next field, or in the last one, save.
  function enter(field, form) {
    if (!field || field.getAttribute("form") !== "rowform") return;
    if (field.dataset.last) {
      form.querySelector('input[name="next"]').value = "1";
      busy = true;
      form.requestSubmit();
      return;
    }
    var fields = rowFields(form);
    var next = fields[fields.indexOf(field) + 1];
    if (next) next.focus(); else { busy = true; form.requestSubmit(); }
  }

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

  // A row menu is filled when it first opens, from the page's one copy of the menu for its
  // level (#row-menus): the marks the server printed there stand for this row's id, name and
  // version, and for the table's version as the page holds it now.
  var MENU_ATTRIBUTES = ["href", "action", "value", "hx-get", "hx-post", "hx-vals", "hx-confirm"];
  function fillMenu(menu) {
    if (menu.dataset.filled) return;
    var source = document.getElementById("row-menus");
    var copy = source && source.content.querySelector('[data-level="' + menu.dataset.level + '"]');
    if (!copy) return;
    var current = document.querySelector("input.table-version");
    var marks = [
      [source.dataset.row, menu.dataset.row],
      [source.dataset.rowVersion, menu.dataset.rowVersion],
      [source.dataset.tableVersion, current ? current.value : source.dataset.tableVersion],
      [source.dataset.name, menu.dataset.name]
    ];
    var filled = copy.cloneNode(true);
    filled.querySelectorAll("*").forEach(function (element) {
      if (element.name === "csrfmiddlewaretoken") return;
      MENU_ATTRIBUTES.forEach(function (name) {
        var value = element.getAttribute(name);
        if (value === null) return;
        marks.forEach(function (mark) { value = value.split(mark[0]).join(mark[1]); });
        element.setAttribute(name, value);
      });
    });
    var target = menu.querySelector(".menu");
    target.replaceChildren.apply(target, Array.prototype.slice.call(filled.childNodes));
    menu.dataset.filled = "1";
    if (window.htmx) window.htmx.process(target);
  }
  // Filled on the click that opens it (Enter on ⋯ is a click), before the browser opens it:
  // the toggle event comes a task later, and a quick Tab would otherwise find the menu empty.
  document.addEventListener("click", function (event) {
    var summary = event.target.closest && event.target.closest("details.ops-menu[data-row] > summary");
    if (summary) fillMenu(summary.parentElement);
  }, true);
  // Menus opened otherwise (by script, or by find-in-page) are filled when they open.
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (menu.matches && menu.matches("details.ops-menu[data-row]") && menu.open) fillMenu(menu);
  }, true);

  // Escape closes what it opened: the paste or library panel (focus back on its opener) and
  // an open row menu (focus back on its ⋯).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var menu = event.target.closest("details.ops-menu[open]");
    if (menu) {
      event.preventDefault();
      menu.open = false;
      menu.querySelector("summary").focus();
      return;
    }
    var panel = event.target.closest("#paste-panel, #library-slot");
    var closer = panel && panel.querySelector("[data-close]");
    if (closer) {
      event.preventDefault();
      closer.click();
      var opener = document.querySelector('[hx-target="#' + panel.id + '"]');
      if (opener) opener.focus();
    }
  });

  // htmx replaces the element that held the focus (检查, 确认无误 and 采用 sit inside the panel
  // they refresh): the focus would fall back to the start of the page. It goes to the new
  // content instead, so that the next Tab continues there.
  var focusWasIn = null;
  // Noted when the request starts: by the swap the browser may already have moved the focus.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    var from = event.detail.elt;
    focusWasIn = target && target.id && (
      (active && active !== document.body && target.contains(active)) ||
      (from && target.contains(from))
    ) ? target.id : null;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var id = event.target.id;
    // A panel that just opened is brought into view with its first field ready.
    if (id === "paste-panel" || id === "library-slot") {
      var first = event.target.querySelector("textarea, input:not([type=hidden]), select");
      if (first) {
        event.target.scrollIntoView({ block: "start" });
        first.focus();
        return;
      }
    }
    if (!focusWasIn || focusWasIn !== id) return;
    focusWasIn = null;
    if (document.activeElement && document.activeElement !== document.body) return;
    var box = document.getElementById(id);
    if (!box) return;
    if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "-1");
    box.focus({ preventScroll: true });
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
