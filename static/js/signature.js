// Signature pad for the site manager (seed 002 art. 8): Pointer Events locked to one
// pointer, touch-action:none (in CSS), sized by devicePixelRatio, redrawn from the
// recorded strokes after a resize (kept as fractions of the pad, so going full screen and back
// keeps the signature), exported as a PNG data URL on every stroke and resize.
const pad = document.querySelector("[data-signature-for]");
if (pad) { signaturePad(pad); }

function signaturePad(canvas) {
  let input = document.getElementById(canvas.getAttribute("data-signature-for"));
  let ctx = canvas.getContext("2d");
  let strokes = [];
  let current = null;
  let activePointer = null;
  Array.prototype.forEach.call(document.querySelectorAll("[data-needs-js]"), function (el) { el.hidden = true; });

  let size = { w: 1, h: 1 };

  function resize() {
    let ratio = Math.max(window.devicePixelRatio || 1, 1);
    let rect = canvas.getBoundingClientRect();
    if (!rect.width || !rect.height) { return; }  // hidden: sized when shown
    size = { w: rect.width, h: rect.height };
    canvas.width = Math.round(rect.width * ratio);
    canvas.height = Math.round(rect.height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    redraw();
    exportValue();
  }

  function style() {
    ctx.strokeStyle = "#111";
    ctx.fillStyle = "#111";
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
  }

  function drawStroke(points) {
    style();
    if (points.length === 1) {
      ctx.beginPath();
      ctx.arc(points[0][0] * size.w, points[0][1] * size.h, 1.5, 0, 2 * Math.PI);
      ctx.fill();
      return;
    }
    ctx.beginPath();
    ctx.moveTo(points[0][0] * size.w, points[0][1] * size.h);
    for (let i = 1; i < points.length; i++) { ctx.lineTo(points[i][0] * size.w, points[i][1] * size.h); }
    ctx.stroke();
  }

  function redraw() {
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.restore();
    strokes.forEach(drawStroke);
  }

  function exportValue() {
    input.value = strokes.length ? canvas.toDataURL("image/png") : "";
  }

  function at(event) {
    let rect = canvas.getBoundingClientRect();
    return [(event.clientX - rect.left) / size.w, (event.clientY - rect.top) / size.h];
  }

  canvas.addEventListener("pointerdown", function (event) {
    if (activePointer !== null) { return; }  // a second finger or palm is ignored
    activePointer = event.pointerId;
    canvas.setPointerCapture(event.pointerId);
    current = [at(event)];
    strokes.push(current);
    drawStroke(current);
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (event.pointerId !== activePointer) { return; }
    let events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    (events.length ? events : [event]).forEach(function (e) { current.push(at(e)); });
    drawStroke(current.slice(-events.length - 1));
    event.preventDefault();
  });
  function end(event) {
    if (event.pointerId !== activePointer) { return; }
    activePointer = null;
    current = null;
    exportValue();
  }
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);

  document.addEventListener("click", function (event) {
    let action = event.target.getAttribute && event.target.getAttribute("data-pad");
    if (!action) { return; }
    if (action === "undo") { strokes.pop(); } else { strokes = []; }
    redraw();
    exportValue();
  });

  window.addEventListener("resize", resize);
  // A pad that was hidden when the page loaded is sized when it is shown.
  document.addEventListener("fieldapp:signature-shown", resize);
  resize();
}
