/* Progressive enhancement only: every page works without this file.
   1. Autosave: fields of a form marked data-autosave are saved in the background as the person types,
      so a dropped connection or a closed tab loses nothing. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) return;
  var status = document.getElementById("autosave-status");
  var timer = null;
  function save() {
    var data = new FormData(form);
    data.append("autosave", "1");
    fetch(form.getAttribute("data-autosave"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"X-Requested-With": "fetch"}
    }).then(function (r) {
      if (status) status.textContent = r.ok ? status.getAttribute("data-ok") : status.getAttribute("data-fail");
    }).catch(function () {
      if (status) status.textContent = status.getAttribute("data-fail");
    });
  }
  form.addEventListener("input", function (e) {
    if (e.target && e.target.type === "file") return;
    clearTimeout(timer);
    timer = setTimeout(save, 1200);
  });
})();
