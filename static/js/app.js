// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Confirm before destructive actions: <form data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // "Use my position": fills the WGS-84 latitude/longitude inputs from the phone's GPS.
  var locate = document.querySelector("[data-locate]");
  if (locate && "geolocation" in navigator) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.querySelector("[data-geo=lat]").value = pos.coords.latitude.toFixed(6);
        document.querySelector("[data-geo=lng]").value = pos.coords.longitude.toFixed(6);
        locate.disabled = false;
      }, function () {
        locate.disabled = false;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }
})();
