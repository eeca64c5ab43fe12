/* The 自评表 in entry mode behaves like the spreadsheet it replaces (issue #16):

   - a row whose inputs differ from their saved values is marked (class "row-unsaved" and a 未保存 tag);
     a row the server sent back refused (data-unsaved) stays marked;
   - leaving the page with unsaved input asks first (beforeunload); the form being submitted is not
     counted (its values are what it sends);
   - Enter in a 实际完成值 input moves to the next row's (Shift+Enter: the previous one), without saving;
     Tab goes actual → (band, score, weight where shown) → note → the next row's actual: the row's 保存
     and the direction buttons are left out of the Tab order (tabindex=-1; Ctrl+Enter saves the row,
     the notice above the sheet confirms every guessed direction at once);
   - pasting several lines copied from Excel or WPS (rows by newlines, cells by tabs) into a 实际完成值
     input fills that row and the following ones: the first cell the actual value, a second cell the
     deviation note; the rows are marked unsaved, nothing is saved until the user saves;
   - 全部保存 (#save-sheet below the sheet, and its twin in the result bar) sends every changed row in
     one request.
*/
(function () {
  "use strict";
  var ACTUAL = "input[name$='-actual_text']";
  var ROW_FIELD = "input[form^='form-ind'], select[form^='form-ind'], textarea[form^='form-ind']";

  function sheet() { return document.getElementById("indicators"); }

  function changed(el) {
    if (el.type === "hidden" || el.disabled || el.type === "submit" || el.type === "button") return false;
    if (el.tagName === "SELECT") {
      var chosen = 0;
      for (var i = 0; i < el.options.length; i++) if (el.options[i].defaultSelected) chosen = i;
      return el.options.length > 0 && el.selectedIndex !== chosen;
    }
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    return el.value !== el.defaultValue;
  }

  function rowChanged(row) {
    if (row.hasAttribute("data-unsaved")) return true;
    return Array.prototype.some.call(row.querySelectorAll(ROW_FIELD), changed);
  }

  function entryRows() {
    var table = sheet();
    if (!table) return [];
    return Array.prototype.filter.call(table.querySelectorAll("tbody > tr"), function (row) {
      return row.querySelector(ROW_FIELD);
    });
  }

  function mark(row) {
    var unsaved = rowChanged(row);
    row.classList.toggle("row-unsaved", unsaved);
    var cell = row.querySelector("td.ops") || row.querySelector("td.name");
    var tag = row.querySelector(".unsaved-tag");
    if (unsaved && !tag && cell) {
      tag = document.createElement("span");
      tag.className = "unsaved-tag";
      tag.setAttribute("data-testid", "unsaved-tag");
      tag.textContent = "未保存";
      cell.appendChild(tag);
    } else if (!unsaved && tag) {
      tag.remove();
    }
    return unsaved;
  }

  function markAll() {
    var count = 0;
    entryRows().forEach(function (row) { if (mark(row)) count++; });
    // the count on 全部保存, below the sheet and in the result bar
    Array.prototype.forEach.call(document.querySelectorAll("button[form='sheet-form'] .count, #save-sheet .count"), function (label) {
      label.textContent = count ? "（" + count + " 行）" : "";
    });
    return count;
  }

  function rowOf(el) { return el.closest ? el.closest("#indicators tbody > tr") : null; }

  function onEdit(e) {
    var row = rowOf(e.target);
    if (row && e.target.matches && e.target.matches(ROW_FIELD)) { mark(row); markAll(); }
  }
  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);
  document.addEventListener("DOMContentLoaded", markAll);
  // a row re-rendered by its save (htmx) carries its saved values: mark it again
  document.addEventListener("htmx:afterSettle", markAll);

  // --- leaving the page ----------------------------------------------------------------------------
  var submitting = null;
  // bubbling to the window: a submission another handler cancelled (a confirm answered no) is not one
  window.addEventListener("submit", function (e) {
    if (!e.defaultPrevented && !e.target.hasAttribute("hx-post")) submitting = e.target;
  });

  function unsavedElsewhere() {
    var section = document.querySelector("section.sheet");
    if (!section) return false;
    if (submitting && submitting.id === "sheet-form") return false; // it sends every changed row
    if (entryRows().some(rowChanged)) return true;
    return Array.prototype.some.call(section.querySelectorAll("input, select, textarea"), function (el) {
      return !el.matches(ROW_FIELD) && el.form && el.form !== submitting && !el.closest("details") && changed(el);
    });
  }

  window.addEventListener("beforeunload", function (e) {
    if (!unsavedElsewhere()) return;
    e.preventDefault();
    e.returnValue = "本页有未保存的填写内容，离开将丢失。";
    return e.returnValue;
  });

  // --- Enter moves down the 实际完成值 column ---------------------------------------------------------
  function actuals() {
    var table = sheet();
    return table ? Array.prototype.slice.call(table.querySelectorAll(ACTUAL)) : [];
  }

  document.addEventListener("keydown", function (e) {
    var el = e.target;
    // Ctrl+Enter in a row saves that row (its 保存 button is left out of the Tab order)
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && el.matches && el.matches(ROW_FIELD)) {
      var button = el.form && el.form.querySelector("button[type=submit]");
      if (button) { e.preventDefault(); button.click(); }
      return;
    }
    if (e.key !== "Enter" || e.isComposing || e.keyCode === 229 || !el.matches || !el.matches(ACTUAL)) return;
    e.preventDefault(); // not the row's implicit submission
    var list = actuals();
    var next = list[list.indexOf(el) + (e.shiftKey ? -1 : 1)];
    if (next) { next.focus(); next.select(); }
  });

  // --- pasting a block copied from a spreadsheet --------------------------------------------------
  function setValue(el, value) {
    if (!el || el.value === value) return;
    el.value = value;
  }

  function pasted(text) {
    var lines = text.replace(/\r\n?/g, "\n").split("\n");
    while (lines.length && lines[lines.length - 1] === "") lines.pop();
    return lines.map(function (line) { return line.split("\t"); });
  }

  document.addEventListener("paste", function (e) {
    var el = e.target;
    if (!el.matches || !el.matches(ACTUAL)) return;
    var data = e.clipboardData || window.clipboardData;
    var text = data ? data.getData("text/plain") || data.getData("text") : "";
    if (!text || (text.indexOf("\n") < 0 && text.indexOf("\t") < 0)) return; // one value: the browser's paste
    e.preventDefault();
    var block = pasted(text);
    var list = actuals();
    var start = list.indexOf(el);
    var filled = 0;
    block.forEach(function (cells, i) {
      var input = list[start + i];
      if (!input) return;
      setValue(input, cells[0].trim());
      if (cells.length > 1) {
        var row = rowOf(input);
        var note = row && row.querySelector("textarea[name$='-deviation_note']");
        setValue(note, cells[1].trim());
      }
      filled++;
    });
    markAll();
    var left = block.length - filled;
    showToast(
      "已粘贴 " + filled + " 行，尚未保存：请核对后点“全部保存”" +
        (left > 0 ? "；另有 " + left + " 行超出本表末行，未填入" : "") + "。",
      left > 0 ? "error" : "info"
    );
  });

  // --- 全部保存: the changed rows' fields, copied into the one form ----------------------------------
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.id !== "sheet-form") return;
    Array.prototype.forEach.call(form.querySelectorAll("input.copied"), function (el) { el.remove(); });
    var rows = entryRows().filter(rowChanged);
    if (!rows.length) {
      e.preventDefault();
      showToast("没有未保存的修改。", "info");
      return;
    }
    rows.forEach(function (row) {
      var rowForm = row.querySelector("form[id^='form-ind']");
      if (!rowForm) return;
      // the row's form owns its cells' inputs (form="form-ind…") and its version
      Array.prototype.forEach.call(rowForm.elements, function (el) {
        if (!el.name || el.disabled || el.type === "submit" || el.type === "button" || el.name === "version") return;
        if (el.name === "csrfmiddlewaretoken") return;
        var copy = document.createElement("input");
        copy.type = "hidden";
        copy.className = "copied";
        copy.name = el.name;
        copy.value = el.value;
        form.appendChild(copy);
      });
    });
  });

  function showToast(text, level) {
    var toast = document.getElementById("toast");
    if (!toast) return;
    toast.textContent = text;
    toast.className = "toast show toast-" + level;
    clearTimeout(window.__toastTimer);
    window.__toastTimer = setTimeout(function () { toast.classList.remove("show"); }, 8000);
  }
})();
