// Progressive enhancement for the demo pages: follow a session's status and reload when it
// is finished; take a photo with the camera on the validator. Without JavaScript the pages
// have a refresh link and a file upload.
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

  // The camera: a live picture, and one press takes a photo and sends it as the upload.
  var camera = document.querySelector(".regie-camera");
  var media = navigator.mediaDevices;
  if (camera && media && media.getUserMedia && window.DataTransfer) {
    var start = document.getElementById("camera-start");
    var video = document.getElementById("camera-video");
    var take = document.getElementById("camera-take");
    var input = document.getElementById("document");
    var form = document.getElementById("valideer-form");
    camera.hidden = false;
    start.addEventListener("click", function () {
      media.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        take.hidden = false;
        video.play();
        take.focus();
      }).catch(function () {
        start.disabled = true;
        start.textContent = start.getAttribute("data-unavailable");
      });
    });
    take.addEventListener("click", function () {
      var canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      canvas.toBlob(function (blob) {
        var files = new DataTransfer();
        files.items.add(new File([blob], "camera.png", { type: "image/png" }));
        input.files = files.files;
        video.srcObject.getTracks().forEach(function (t) { t.stop(); });
        form.submit();
      }, "image/png");
    });
  }
})();
