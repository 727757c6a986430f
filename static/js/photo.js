// Photos are downscaled on the phone before they are stored or sent (a 12-megapixel
// photo becomes ~1600 px, a few hundred KB), keeping the EXIF evidence (time, GPS).
export const SIDE = 1600;

function exifSegment(buffer) {
  let view = new DataView(buffer);
  if (view.byteLength < 4 || view.getUint16(0) !== 0xFFD8) { return null; }
  let offset = 2;
  while (offset + 10 < view.byteLength) {
    let marker = view.getUint16(offset);
    let length = view.getUint16(offset + 2);
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
  let view = new DataView(segment.buffer);
  let tiff = 10;
  let little = view.getUint16(tiff) === 0x4949;
  let ifd = tiff + view.getUint32(tiff + 4, little);
  let count = view.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    let entry = ifd + 2 + i * 12;
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
  let source = bitmap;
  let w = bitmap.width;
  let h = bitmap.height;
  let scale = Math.min(1, SIDE / Math.max(w, h));
  let targetW = Math.round(w * scale);
  let targetH = Math.round(h * scale);
  while (w / 2 >= targetW * 1.5) {
    w = Math.round(w / 2);
    h = Math.round(h / 2);
    let step = document.createElement("canvas");
    step.width = w;
    step.height = h;
    step.getContext("2d").drawImage(source, 0, 0, w, h);
    source = step;
  }
  let out = document.createElement("canvas");
  out.width = targetW;
  out.height = targetH;
  let ctx = out.getContext("2d");
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(source, 0, 0, targetW, targetH);
  return out;
}

export async function shrink(file) {
  if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) {
    return file;  // the server says what it cannot take
  }
  try {
    const [buffer, bitmap] = await Promise.all([
      file.arrayBuffer(), createImageBitmap(file, { imageOrientation: "from-image" })]);
    if (Math.max(bitmap.width, bitmap.height) <= SIDE && file.size < 1500000) { return file; }
    const blob = await toBlob(downscaleBitmap(bitmap));
    const segment = file.type === "image/jpeg" ? exifSegment(buffer) : null;
    let pieces = [blob];
    if (segment) {
      resetOrientation(segment);
      pieces = [blob.slice(0, 2), segment, blob.slice(2)];
    }
    const name = file.name.replace(/\.[^.]+$/, "") + ".jpg";
    return new File(pieces, name, { type: "image/jpeg", lastModified: file.lastModified });
  } catch (error) {
    return file;
  }
}

