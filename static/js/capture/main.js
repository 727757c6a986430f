// The capture page (/capture), kept on the phone by the service worker: an inspection
// (?enterprise=<id> to begin one, ?record=<uuid> to take one up again) or a re-check
// (?recheck=<hazard id>). ES2017 modules; the IndexedDB store, the photo shrinker and the outbox
// are the classic scripts the page loads before this one (store.js, photo.js, outbox.js).

import { $ } from "../ui.js";
import { Inspection } from "./inspection.js";
import { Recheck } from "./recheck.js";

async function main() {
  const root = $("capture");
  const store = window.fieldappStore;
  if (!root || !store) { return; }
  const texts = JSON.parse(root.getAttribute("data-text") || "{}");
  const params = new URLSearchParams(window.location.search);
  const uid = await store.currentUser();
  try {
    if (!uid) { return; }  // outbox.js shows "please log in"
    if (params.get("recheck")) {
      await new Recheck(root, store, texts, Number(params.get("recheck"))).start(uid);
    } else {
      await new Inspection(root, store, texts).start(uid, params);
    }
  } catch (error) {
    $("c-error").textContent = error.message || String(error);
    $("c-error").hidden = false;
  } finally {
    root.removeAttribute("aria-busy");  // drawn from the phone's store: the form (or why not) is shown
  }
}

main();
