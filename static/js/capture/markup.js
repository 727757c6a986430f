// Marking up a photo on the phone: arrows, circles and a short text drawn over a copy. The
// shapes are kept in the photo's own pixels, so the copy is drawn at the photo's size whatever the
// screen; the original photo is never changed (it stays the evidence, and both are hashed).

import { $ } from "../ui.js";

const COLOUR = "#e00000";

function drawShape(ctx, shape, scale) {
  const w = Math.max(3, 0.8 * shape.size) * scale;
  ctx.strokeStyle = COLOUR;
  ctx.fillStyle = COLOUR;
  ctx.lineWidth = w;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  const [x1, y1, x2, y2] = shape.points.map((v) => v * scale);
  if (shape.tool === "arrow") {
    const angle = Math.atan2(y2 - y1, x2 - x1);
    const head = w * 4;
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x2, y2);
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(x2, y2);
    ctx.lineTo(x2 - head * Math.cos(angle - 0.45), y2 - head * Math.sin(angle - 0.45));
    ctx.lineTo(x2 - head * Math.cos(angle + 0.45), y2 - head * Math.sin(angle + 0.45));
    ctx.closePath();
    ctx.fill();
  } else if (shape.tool === "circle") {
    ctx.beginPath();
    ctx.ellipse((x1 + x2) / 2, (y1 + y2) / 2, Math.max(4, Math.abs(x2 - x1) / 2), Math.max(4, Math.abs(y2 - y1) / 2),
                0, 0, 2 * Math.PI);
    ctx.stroke();
  } else if (shape.tool === "text") {
    const px = Math.round(5 * shape.size * scale);
    ctx.font = "bold " + px + "px sans-serif";
    ctx.lineWidth = Math.max(2, px / 6);
    ctx.strokeStyle = "#fff";
    ctx.strokeText(shape.text, x1, y1);
    ctx.fillText(shape.text, x1, y1);
  }
}

export function render(image, shapes, scale, ctx) {
  ctx.drawImage(image, 0, 0, image.naturalWidth * scale, image.naturalHeight * scale);
  shapes.forEach((s) => drawShape(ctx, s, scale));
}

export class Markup {
  constructor(onSave) {
    this.onSave = onSave;
    this.canvas = $("mk-canvas");
    this.ctx = this.canvas.getContext("2d");
    this.shapes = [];
    this.drag = null;
    this.bind();
  }

  tool() { return document.querySelector("input[name=mk-tool]:checked").value; }

  async open(url, shapes, mediaUuid) {
    this.mediaUuid = mediaUuid;
    this.shapes = (shapes || []).slice();
    this.image = new Image();
    this.image.src = url;
    await this.image.decode();
    // Line widths and text scale with the photo (a line 0.8 %, a word 5 % of its long side), so a
    // mark reads the same on any photo size.
    this.size = Math.max(this.image.naturalWidth, this.image.naturalHeight) / 100;
    $("markup").hidden = false;
    document.body.classList.add("no-scroll");
    this.fit();
  }

  fit() {
    const box = this.canvas.parentElement.getBoundingClientRect();
    const bars = 150;
    const scale = Math.min(box.width / this.image.naturalWidth, (window.innerHeight - bars) / this.image.naturalHeight);
    const ratio = window.devicePixelRatio || 1;
    this.scale = scale;
    this.canvas.style.width = Math.round(this.image.naturalWidth * scale) + "px";
    this.canvas.style.height = Math.round(this.image.naturalHeight * scale) + "px";
    this.canvas.width = Math.round(this.image.naturalWidth * scale * ratio);
    this.canvas.height = Math.round(this.image.naturalHeight * scale * ratio);
    this.ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.draw();
  }

  draw(extra) {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    render(this.image, extra ? this.shapes.concat([extra]) : this.shapes, this.scale, this.ctx);
  }

  at(event) {
    const rect = this.canvas.getBoundingClientRect();
    return [(event.clientX - rect.left) / this.scale, (event.clientY - rect.top) / this.scale];
  }

  close() {
    $("markup").hidden = true;
    document.body.classList.remove("no-scroll");
  }

  async save() {
    const out = document.createElement("canvas");
    out.width = this.image.naturalWidth;
    out.height = this.image.naturalHeight;
    render(this.image, this.shapes, 1, out.getContext("2d"));
    const blob = await new Promise((resolve) => out.toBlob(resolve, "image/jpeg", 0.88));
    this.close();
    if (this.shapes.length) { await this.onSave(this.mediaUuid, blob, this.shapes); }
  }

  bind() {
    const c = this.canvas;
    c.addEventListener("pointerdown", (event) => {
      if (this.drag) { return; }
      const point = this.at(event);
      if (this.tool() === "text") {
        const text = $("mk-text").value.trim();
        if (!text) { $("mk-text").focus(); return; }
        this.shapes.push({ tool: "text", text, points: [point[0], point[1], point[0], point[1]], size: this.size });
        this.draw();
        return;
      }
      c.setPointerCapture(event.pointerId);
      this.drag = { id: event.pointerId, start: point };
      event.preventDefault();
    });
    c.addEventListener("pointermove", (event) => {
      if (!this.drag || event.pointerId !== this.drag.id) { return; }
      const p = this.at(event);
      this.draw({ tool: this.tool(), points: [this.drag.start[0], this.drag.start[1], p[0], p[1]], size: this.size });
    });
    const end = (event) => {
      if (!this.drag || event.pointerId !== this.drag.id) { return; }
      const p = this.at(event);
      const s = this.drag.start;
      if (Math.hypot(p[0] - s[0], p[1] - s[1]) * this.scale > 8) {
        this.shapes.push({ tool: this.tool(), points: [s[0], s[1], p[0], p[1]], size: this.size });
      }
      this.drag = null;
      this.draw();
    };
    c.addEventListener("pointerup", end);
    c.addEventListener("pointercancel", end);
    document.querySelectorAll("input[name=mk-tool]").forEach((input) => input.addEventListener("change", () => {
      $("mk-text").hidden = this.tool() !== "text";
      if (this.tool() === "text") { $("mk-text").focus(); }
    }));
    $("mk-undo").addEventListener("click", () => { this.shapes.pop(); this.draw(); });
    $("mk-cancel").addEventListener("click", () => this.close());
    $("mk-save").addEventListener("click", () => this.save());
    window.addEventListener("resize", () => { if (!$("markup").hidden) { this.fit(); } });
  }
}
