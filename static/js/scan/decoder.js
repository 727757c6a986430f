// QR codes from the camera: the browser's own BarcodeDetector where it has one (Chrome on
// Android), else qr-scanner's decoder (npm qr-scanner 1.4.2, vendored unchanged in
// static/vendor/qr-scanner: jsQR in a worker, 10 KB compressed) fed frames from a canvas.

import { createWorker } from "../../vendor/qr-scanner/qr-scanner-worker.min.js";

const FRAME_PX = 640;  // frames are scaled down to this: enough for a poster at arm's length

async function nativeDetector() {
  if (!("BarcodeDetector" in window)) { return null; }
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    return formats.includes("qr_code") ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
  } catch (e) {
    return null;
  }
}

// A function that reads one frame of `video` and resolves to the code's text, or null.
export async function reader(video) {
  const native = await nativeDetector();
  if (native) {
    return async () => {
      const found = await native.detect(video);
      return found.length ? found[0].rawValue : null;
    };
  }
  const worker = createWorker();
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  let next = 0;
  const read = async () => {
    if (!video.videoWidth) { return null; }
    const scale = Math.min(1, FRAME_PX / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const id = ++next;
    return new Promise((resolve) => {
      const answer = (event) => {
        if (event.data.id !== id) { return; }
        worker.removeEventListener("message", answer);
        resolve(event.data.data || null);
      };
      worker.addEventListener("message", answer);
      worker.postMessage({ id, type: "decode", data: image }, [image.data.buffer]);
    });
  };
  read.close = () => worker.terminate();
  return read;
}
