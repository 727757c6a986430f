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

  // Position: fills [data-geo=lat|lng|acc] from the phone's GPS (WGS-84, as browsers give it).
  var locate = document.querySelector("[data-locate]");
  if (locate && "geolocation" in navigator) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var set = function (name, value) {
          var el = document.querySelector("[data-geo=" + name + "]");
          if (el) { el.value = value; }
        };
        set("lat", pos.coords.latitude.toFixed(7));
        set("lng", pos.coords.longitude.toFixed(7));
        set("acc", Math.round(pos.coords.accuracy));
        locate.disabled = false;
        var form = locate.form;
        if (form && form.id === "record-form") { form.requestSubmit(form.querySelector("[value=save]")); }
      }, function () {
        locate.disabled = false;
        locate.textContent = locate.getAttribute("data-failed") || locate.textContent;
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 });
    });
  }

  // --- photos: downscale on the phone before upload, keeping the EXIF evidence ---------
  var SIDE = 1600;

  function exifSegment(buffer) {
    var view = new DataView(buffer);
    if (view.byteLength < 4 || view.getUint16(0) !== 0xFFD8) { return null; }
    var offset = 2;
    while (offset + 10 < view.byteLength) {
      var marker = view.getUint16(offset);
      var length = view.getUint16(offset + 2);
      if (marker === 0xFFE1 && view.getUint32(offset + 4) === 0x45786966) {
        return new Uint8Array(buffer.slice(offset, offset + 2 + length));
      }
      if ((marker & 0xFF00) !== 0xFF00 || marker === 0xFFDA) { break; }
      offset += 2 + length;
    }
    return null;
  }

  // The pixels are drawn upright already, so the copied EXIF must say "no rotation".
  function resetOrientation(segment) {
    var view = new DataView(segment.buffer);
    var tiff = 10;
    var little = view.getUint16(tiff) === 0x4949;
    var ifd = tiff + view.getUint32(tiff + 4, little);
    var count = view.getUint16(ifd, little);
    for (var i = 0; i < count; i++) {
      var entry = ifd + 2 + i * 12;
      if (entry + 12 > view.byteLength) { break; }
      if (view.getUint16(entry, little) === 0x0112) { view.setUint16(entry + 8, 1, little); }
    }
  }

  function toBlob(canvas) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
  }

  // Halve in steps while far above the target (one big jump aliases and can exhaust
  // memory on 50-megapixel photos), then one last resize to the target.
  function downscaleBitmap(bitmap) {
    var source = bitmap;
    var w = bitmap.width;
    var h = bitmap.height;
    var scale = Math.min(1, SIDE / Math.max(w, h));
    var targetW = Math.round(w * scale);
    var targetH = Math.round(h * scale);
    while (w / 2 >= targetW * 1.5) {
      w = Math.round(w / 2);
      h = Math.round(h / 2);
      var step = document.createElement("canvas");
      step.width = w;
      step.height = h;
      step.getContext("2d").drawImage(source, 0, 0, w, h);
      source = step;
    }
    var out = document.createElement("canvas");
    out.width = targetW;
    out.height = targetH;
    var ctx = out.getContext("2d");
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(source, 0, 0, targetW, targetH);
    return out;
  }

  function shrink(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) {
      return Promise.resolve(file);  // the server says what it cannot take
    }
    return Promise.all([file.arrayBuffer(), createImageBitmap(file, { imageOrientation: "from-image" })])
      .then(function (parts) {
        var buffer = parts[0];
        var bitmap = parts[1];
        if (Math.max(bitmap.width, bitmap.height) <= SIDE && file.size < 1500000) { return file; }
        return toBlob(downscaleBitmap(bitmap)).then(function (blob) {
          var segment = file.type === "image/jpeg" ? exifSegment(buffer) : null;
          var pieces = [blob];
          if (segment) {
            resetOrientation(segment);
            pieces = [blob.slice(0, 2), segment, blob.slice(2)];
          }
          var name = file.name.replace(/\.[^.]+$/, "") + ".jpg";
          return new File(pieces, name, { type: "image/jpeg", lastModified: file.lastModified });
        });
      })
      .catch(function () { return file; });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute("data-downscale") || form.dataset.shrunk === "1") { return; }
    var inputs = Array.prototype.filter.call(form.querySelectorAll("input[type=file]"),
      function (input) { return input.files && input.files.length; });
    if (!inputs.length || !window.DataTransfer) { return; }
    event.preventDefault();
    form.classList.add("busy");
    Promise.all(inputs.map(function (input) {
      return Promise.all(Array.prototype.map.call(input.files, shrink)).then(function (files) {
        var transfer = new DataTransfer();
        files.forEach(function (f) { transfer.items.add(f); });
        input.files = transfer.files;
      });
    })).then(function () {
      form.dataset.shrunk = "1";
      form.submit();
    });
  });

  // Choosing a photo in an upload form sends it at once.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-autosubmit]") && input.files.length) {
      input.form.requestSubmit();
    }
  });

  // One submission per form: a second tap while the first is on its way does nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented) { return; }
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    if (form.method.toLowerCase() === "post") {
      form.dataset.sent = "1";
      setTimeout(function () { form.dataset.sent = ""; }, 8000);  // allow a retry after a network error
    }
  });
})();

// --- the service worker: offline shell, and updates only when the user says so ----------
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) { return; }
  var updating = false;
  var banner = document.getElementById("update-banner");

  function offer(worker) {
    if (!banner || !navigator.serviceWorker.controller) { return; }  // first install: nothing to update
    banner.hidden = false;
    document.getElementById("update-now").onclick = function () {
      updating = true;
      worker.postMessage({ type: "SKIP_WAITING" });
    };
  }

  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (registration) {
    if (registration.waiting) { offer(registration.waiting); }
    registration.addEventListener("updatefound", function () {
      var worker = registration.installing;
      worker.addEventListener("statechange", function () {
        if (worker.state === "installed") { offer(worker); }
      });
    });
  });
  // Reload only after the user chose to update: never under a half-filled form.
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    if (updating) { window.location.reload(); }
  });
})();
