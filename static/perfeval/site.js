/* Behaviour the templates ask for with data attributes, in place of inline scripts and on…
   attributes: the Content-Security-Policy runs scripts from this site's files only.

   <button data-print>                        prints the page
   <button data-confirm="问题">                asks before it submits its form
   <select data-submit-on-change data-clear="year">
                                              submits its form when changed, emptying the named field first
*/
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-print], [data-confirm]") : null;
    if (!el) return;
    if (el.hasAttribute("data-print")) {
      e.preventDefault();
      window.print();
    } else if (!window.confirm(el.getAttribute("data-confirm"))) {
      e.preventDefault();
    }
  });
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (!el.matches || !el.matches("[data-submit-on-change]") || !el.form) return;
    var clear = el.getAttribute("data-clear");
    if (clear && el.form.elements[clear]) el.form.elements[clear].value = "";
    el.form.submit();
  });
})();
