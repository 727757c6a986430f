// The scan page (/scan), kept on the phone: the camera reads an enterprise's check-in code and the
// inspection of that enterprise opens (a draft of it resumed), the scan kept with the record as
// evidence of presence. ?record=<uuid>: a scan for a record already open, which it goes back to.
// Without a camera (refused, missing) the credit code typed opens the enterprise instead.

import { $, fill } from "../ui.js";
import { parseCode } from "./code.js";
import { reader } from "./decoder.js";

const EVERY_MS = 250;

class ScanPage {
  constructor(root, store, uid) {
    this.root = root;
    this.T = JSON.parse(root.getAttribute("data-text"));
    this.store = store;
    this.uid = uid;
    this.record = new URLSearchParams(window.location.search).get("record");
  }

  status(text, error) {
    const box = $("scan-status");
    box.textContent = text;
    box.classList.toggle("error", !!error);
  }

  async enterprises() {
    const db = await this.store.open(this.uid);
    return this.store.getAll(db, "enterprises");
  }

  open(code) {
    const params = new URLSearchParams({ scan: code.token });
    if (this.record) { params.set("record", this.record); } else { params.set("enterprise", String(code.enterpriseId)); }
    window.location.href = "/capture?" + params.toString();
  }

  async found(text) {
    const code = parseCode(text);
    if (!code) { this.status(this.T.not_a_code, true); return false; }
    const enterprise = (await this.enterprises()).find((e) => e.id === code.enterpriseId);
    // A code for a record goes back to it whatever it names: the record page flags a wrong one.
    if (!enterprise && !this.record) { this.status(this.T.not_in_pack, true); return false; }
    this.stop();
    this.status(fill(this.T.opening, { name: enterprise ? enterprise.name : "" }));
    this.open(code);
    return true;
  }

  async camera() {
    const video = $("scan-video");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { throw new Error(this.T.no_camera); }
    this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    video.srcObject = this.stream;
    await video.play();
    this.read = await reader(video);
    this.status(this.T.aim);
    const tick = async () => {
      if (!this.stream) { return; }
      let text = null;
      try { text = await this.read(); } catch (e) { text = null; }
      if (text && await this.found(text)) { return; }
      this.timer = setTimeout(tick, EVERY_MS);
    };
    tick();
  }

  stop() {
    clearTimeout(this.timer);
    if (this.stream) { this.stream.getTracks().forEach((t) => t.stop()); }
    this.stream = null;
    if (this.read && this.read.close) { this.read.close(); }
  }

  async typed(event) {
    event.preventDefault();
    const value = $("scan-uscc").value.trim().toUpperCase();
    const error = $("scan-uscc-error");
    const enterprise = value && (await this.enterprises()).find((e) => (e.uscc || "").toUpperCase() === value);
    error.hidden = !!enterprise;
    error.textContent = enterprise ? "" : (value ? this.T.uscc_unknown : this.T.uscc_empty);
    if (enterprise) { window.location.href = "/capture?enterprise=" + enterprise.id; }
  }

  async start() {
    this.root.hidden = false;
    $("scan-manual").hidden = !!this.record;
    $("scan-back").hidden = !this.record;
    if (this.record) { $("scan-back").href = "/capture?record=" + encodeURIComponent(this.record); }
    $("scan-manual").addEventListener("submit", (event) => this.typed(event));
    window.addEventListener("pagehide", () => this.stop());
    try {
      await this.camera();
    } catch (error) {
      this.stop();
      const denied = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
      this.status(denied ? this.T.camera_denied : this.T.no_camera, true);
      $("scan-view").hidden = true;
      if (!this.record) { $("scan-uscc").focus(); }
    }
  }
}

async function main() {
  const root = $("scan");
  const store = window.fieldappStore;
  if (!root || !store || !window.indexedDB) { return; }
  const uid = await store.currentUser().catch(() => null);
  if (!uid) { return; }  // outbox.js shows "please log in"
  await new ScanPage(root, store, uid).start();
}

main();
