/* The reports page: each unfinished package asks its status URL once a second until it is finished,
   and shows its progress (moved out of templates/reports/index.html: scripts come from files only). */
(function () {
  document.querySelectorAll("tr[data-package][data-finished='0']").forEach(function (row) {
    var bar = row.querySelector(".progress > span");
    var holder = row.querySelector(".progress");
    var text = row.querySelector("[data-field=text]");
    var file = row.querySelector("[data-field=file]");
    var count = row.querySelector("[data-field=count]");
    var timer = setInterval(function () {
      fetch(row.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (s) {
          bar.style.width = s.progress + "%";
          holder.setAttribute("aria-valuenow", s.progress);
          text.textContent = s.progress + "% · " + s.status_label;
          if (s.project_count !== null) { count.textContent = s.project_count; }
          if (!s.finished) { return; }
          clearInterval(timer);
          row.dataset.finished = "1";
          file.textContent = "";
          if (s.download_url) {
            var a = document.createElement("a");
            a.href = s.download_url; a.textContent = "下载 ZIP";
            file.appendChild(a);
          } else {
            var e = document.createElement("span");
            e.className = "error"; e.textContent = "失败：" + (s.error || "未知错误");
            file.appendChild(e);
          }
        })
        .catch(function () { /* a missed poll is retried on the next tick */ });
    }, 1000);
  });
})();
