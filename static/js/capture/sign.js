// The site manager's turn: the summary they sign in large type (the text the server rebuilds
// and checks), their name proposed from the last visit or the enterprise file, a pad that can
// fill the screen, and refusing to sign as a visible choice with its photo.

import { $, phraseButtons } from "../ui.js";
import * as R from "./record.js";

// The server's test for a real signature (span and ink), so the signer is asked again here,
// not after they have left. Read from the exported image, whatever size the pad had.
export async function tooSimple(dataUrl) {
  const image = new Image();
  image.src = dataUrl;
  await image.decode();
  const canvas = document.createElement("canvas");
  const w = canvas.width = image.naturalWidth;
  const h = canvas.height = image.naturalHeight;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(0, 0, w, h).data;
  let minX = w, minY = h, maxX = -1, maxY = -1, inked = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[(y * w + x) * 4 + 3] > 40) {
        inked += 1;
        if (x < minX) { minX = x; }
        if (x > maxX) { maxX = x; }
        if (y < minY) { minY = y; }
        if (y > maxY) { maxY = y; }
      }
    }
  }
  return maxX < 0 || (maxX + 1 - minX) < w * 0.12 || (maxY + 1 - minY) < h * 0.08 || inked < 150;
}

function dataUrlBlob(dataUrl) {
  const bytes = atob(dataUrl.split(",", 2)[1]);
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) { out[i] = bytes.charCodeAt(i); }
  return new Blob([out], { type: "image/png" });
}

export class SignView {
  constructor(ctx) {
    this.ctx = ctx;
    this.T = ctx.texts;
    this.refusalPhoto = null;
  }

  open() {
    const record = this.ctx.record;
    if (R.missing(record, this.T).length) { return false; }
    $("summary").textContent = R.summary(record, this.T.summary_format);
    if (!R.clean($("f-signer_name").value)) { $("f-signer_name").value = record.signer_default || ""; }
    phraseButtons($("p-opinion"), [this.T.opinion_agree, this.T.opinion_will_fix], (p) => {
      $("f-signer_opinion").value = p;
    });
    $("c-body").hidden = true;
    $("sign-view").hidden = false;
    document.body.classList.add("signing");
    window.scrollTo(0, 0);
    document.dispatchEvent(new CustomEvent("fieldapp:signature-shown"));
    $("sv-title").focus({ preventScroll: true });
    return true;
  }

  close() {
    this.full(false);
    $("sign-view").hidden = true;
    $("c-body").hidden = false;
    document.body.classList.remove("signing");
  }

  full(on) {
    $("pad-wrap").classList.toggle("pad-full", on);
    document.body.classList.toggle("no-scroll", on);
    $("pad-full").setAttribute("aria-pressed", String(on));
    $("pad-full").textContent = on ? this.T.pad_exit : this.T.pad_full;
    document.dispatchEvent(new CustomEvent("fieldapp:signature-shown"));
  }

  async sign(event) {
    event.preventDefault();
    const errorBox = $("sign-error");
    const name = R.clean($("f-signer_name").value);
    const dataUrl = $("signature").value;
    const gaps = R.missing(this.ctx.record, this.T);
    let error = gaps.length ? gaps.map((g) => g.text).join(" ")
      : !name ? this.T.signer_name : !dataUrl ? this.T.signature_missing : "";
    if (!error && await tooSimple(dataUrl)) { error = this.T.signature_simple; }
    errorBox.textContent = error;
    errorBox.hidden = !error;
    if (error) { return; }
    this.full(false);
    const text = R.summary(this.ctx.record, this.T.summary_format);
    const store = this.ctx.store;
    const [item, digest] = await Promise.all([
      store.putMedia(this.ctx.db, this.ctx.record.uuid, dataUrlBlob(dataUrl), "signature"),
      store.sha256Hex(new TextEncoder().encode(text))]);
    await this.ctx.finalise({ kind: "signed", signer_name: name, opinion: R.clean($("f-signer_opinion").value),
                              signature_media_uuid: item.uuid, summary_sha256: digest });
  }

  async refuse(event) {
    event.preventDefault();
    const reason = R.clean($("f-refusal_reason").value);
    const gaps = R.missing(this.ctx.record, this.T);
    const error = gaps.length ? gaps.map((g) => g.text).join(" ") : !reason ? this.T.refusal_reason
      : !this.refusalPhoto ? this.T.refusal_photo : "";
    $("refuse-error").textContent = error;
    $("refuse-error").hidden = !error;
    if (error) { return; }
    await this.ctx.finalise({ kind: "refused", signer_name: R.clean($("f-refuse_name").value), reason,
                              photo_media_uuid: this.refusalPhoto });
  }

  bind() {
    $("sv-back").addEventListener("click", () => this.close());
    $("pad-full").addEventListener("click", () => this.full(!$("pad-wrap").classList.contains("pad-full")));
    $("sign-form").addEventListener("submit", (event) => this.sign(event));
    $("refuse-form").addEventListener("submit", (event) => this.refuse(event));
    $("refuse-open").addEventListener("click", () => {
      const form = $("refuse-form");
      form.hidden = !form.hidden;
      $("refuse-open").setAttribute("aria-expanded", String(!form.hidden));
      if (!form.hidden) { form.scrollIntoView({ block: "start" }); }
    });
    $("refuse-photo").addEventListener("change", async (event) => {
      const input = event.target;
      if (!input.files.length) { return; }
      try {
        const item = await this.ctx.photos.store(input.files[0], "refusal");
        this.refusalPhoto = item.uuid;
        const url = await this.ctx.photos.url(item.uuid);
        const preview = $("refuse-preview");
        preview.textContent = "";
        const img = document.createElement("img");
        img.src = url;
        img.alt = this.T.refusal_photo_alt;
        preview.appendChild(img);
      } catch (error) {
        $("refuse-error").textContent = this.T.photo_failed;
        $("refuse-error").hidden = false;
      }
    });
  }
}
