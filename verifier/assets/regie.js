// Progressive enhancement for the demo pages: poll a session's status and reload when it is
// finished. Without JavaScript the page has a refresh link.
(function () {
  "use strict";
  var status = document.querySelector("[data-poll]");
  if (status) {
    var url = status.getAttribute("data-poll");
    var last = status.getAttribute("data-status");
    var timer = setInterval(function () {
      fetch(url, { headers: { accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.status === last) return;
          last = s.status;
          status.setAttribute("data-status", s.status);
          status.textContent = s.status_text;
          if (s.status !== "pending" && s.status !== "retrieved") {
            clearInterval(timer);
            // The finished page shows the verified data; give screen readers a moment.
            setTimeout(function () { window.location.reload(); }, 800);
          }
        })
        .catch(function () {});
    }, 1000);
  }

})();
