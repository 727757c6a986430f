// The inspection record kept on the phone, as data: no DOM, no IndexedDB, so that node's test
// runner checks it (tests/js/record.test.mjs). The rules are the server's, sent with the page's
// texts: the fields signing requires (inspections.SIGNING_REQUIRES) and the summary's lines
// (inspections.SUMMARY_FORMAT). The summary is the contract with the server, which rebuilds it
// from the record it stores and refuses a signature over any other text.
import { fill } from "../ui.js";

export function clean(value) { return String(value == null ? "" : value).trim(); }

// A new record for an enterprise of the offline pack. What the inspector would type again on
// every visit is proposed: the work ID (from the profile, else the one this phone remembers),
// the parts and content of this enterprise's last visit (else the template's), the last signer.
export function newRecord({ uuid, now, enterprise, template, me, rememberedWorkId = "" }) {
  const last = enterprise.last_visit || {};
  return {
    uuid, kind: "inspection", state: "draft", created_at: now, updated_at: now, started_at: now,
    enterprise_id: enterprise.id, enterprise_name: enterprise.name, enterprise_uscc: enterprise.uscc,
    enterprise_position: enterprise.latitude != null ? [enterprise.latitude, enterprise.longitude] : null,
    template_id: template.id, template_name: template.name,
    inspector_name: me.display_name,
    signer_default: last.signer_name || enterprise.safety_manager_name || "",
    defaults_from: last.parts ? "last_visit" : (template.default_parts ? "template" : ""),
    fields: {
      id_shown: false, work_id_number: me.work_id || rememberedWorkId || "",
      parts: last.parts || template.default_parts || "", content: last.content || template.default_content || "",
      findings: "", measures: ""
    },
    position: null,
    results: template.items.map((i) => ({
      position: i.position, item_id: i.id, category: i.category || "", text: i.text, basis: i.basis || "",
      phrases: i.phrases || [], result: null, note: "", bulk: false
    })),
    photos: [], hazards: [], followups: [], finish: null, payload: null, attempts: 0, last_error: ""
  };
}

// The checklist in its sections (by category, in the template's order).
export function sections(record) {
  const out = [];
  const byName = new Map();
  record.results.forEach((r) => {
    const name = r.category || "";
    if (!byName.has(name)) {
      const section = { name, items: [] };
      byName.set(name, section);
      out.push(section);
    }
    byName.get(name).items.push(r);
  });
  return out;
}

export function progress(record) {
  const answered = record.results.filter((r) => r.result).length;
  return { answered, total: record.results.length };
}

export function result(record, position) {
  return record.results.find((r) => r.position === position);
}

// One answer, given alone: it is no longer part of an answer given together.
export function answer(record, position, value) {
  const r = result(record, position);
  r.result = value;
  r.bulk = false;
  return r;
}

// 本节其余合格 / 其余全部合格: every unanswered item (of one section, or all) becomes 合格, marked
// as answered together; returns the positions set, for undo.
export function passRest(record, category = null) {
  const set = [];
  record.results.forEach((r) => {
    if (!r.result && (category === null || (r.category || "") === category)) {
      r.result = "pass";
      r.bulk = true;
      set.push(r.position);
    }
  });
  return set;
}

export function undoPass(record, positions) {
  positions.forEach((p) => {
    const r = result(record, p);
    if (r && r.bulk && r.result === "pass") {
      r.result = null;
      r.bulk = false;
    }
  });
}

// What must be filled in before the manager can sign, each with where to go to fill it.
// `texts` are the server's (app_texts.capture): the fields it requires (required_fields) and
// its messages (missing_<key>).
export function missing(record, texts) {
  const out = [];
  const f = record.fields;
  texts.required_fields.forEach((key) => {
    if (!(key === "id_shown" ? f.id_shown : clean(f[key]))) {
      out.push({ key, text: texts["missing_" + key], target: "f-" + key });
    }
  });
  const unanswered = record.results.filter((r) => !r.result);
  if (unanswered.length) {
    out.push({ key: "results", text: String(texts.missing_results).replace("%(n)d", unanswered.length),
               target: "item-" + unanswered[0].position });
  }
  const noNote = record.results.filter((r) => r.result === "fail" && !clean(r.note));
  if (noNote.length) {
    out.push({ key: "results_note", text: String(texts.missing_results_note).replace("%(n)d", noNote.length),
               target: "note-" + noNote[0].position });
  }
  return out;
}

// The next place that needs the inspector: an unanswered item, a failed one without its note, then
// the first missing field, after `from` (an item position) when given.
export function nextStop(record, texts, from = null) {
  const items = record.results.filter((r) => !r.result || (r.result === "fail" && !clean(r.note)));
  const after = from == null ? items : items.filter((r) => r.position > from);
  const item = after[0] || items[0];
  if (item) { return item.result ? "note-" + item.position : "item-" + item.position; }
  const gap = missing(record, texts)[0];
  return gap ? gap.target : null;
}

// The summary the site manager reads and signs: the server's summary_lines, filled from the
// templates it sends with the page's texts (texts.summary_format).
export function summary(record, format) {
  const f = record.fields;
  const failed = record.results.slice().sort((a, b) => a.position - b.position).filter((r) => r.result === "fail");
  const lines = [fill(format.head, { uuid: record.uuid }),
                 fill(format.enterprise, { name: record.enterprise_name, uscc: record.enterprise_uscc }),
                 fill(format.inspector, { name: record.inspector_name, work_id: clean(f.work_id_number) }),
                 fill(format.parts, { text: clean(f.parts) }), fill(format.findings, { text: clean(f.findings) }),
                 fill(format.measures, { text: clean(f.measures) }), fill(format.failed, { n: failed.length })];
  failed.forEach((r) => lines.push(fill(format.failed_item, { text: r.text, note: clean(r.note) })));
  lines.push(fill(format.hazards, { n: record.hazards.length }));
  record.hazards.forEach((h) => lines.push(fill(format.hazard_item, { level: format.levels[h.level], place: h.place,
                                                                       description: h.description })));
  return lines.join("\n");
}

// What the server receives (schemas/sync.py InspectionUploadSchema). Frozen when the record is
// finished, so every retry sends the same thing.
export function payload(record, appVersion) {
  const f = record.fields;
  return {
    uuid: record.uuid, enterprise_id: record.enterprise_id, started_at: record.started_at,
    ended_at: record.ended_at, position: record.position,
    fields: { parts: clean(f.parts), content: clean(f.content), findings: clean(f.findings),
              measures: clean(f.measures), work_id_number: clean(f.work_id_number), id_shown: !!f.id_shown },
    results: record.results.map((r) => ({ position: r.position, result: r.result || null, note: clean(r.note),
                                          text: r.text, bulk: !!(r.bulk && r.result === "pass") })),
    photos: record.photos.map((p) => ({ media_uuid: p.media_uuid, item_position: p.item_position,
                                        caption: clean(p.caption), marked_media_uuid: p.marked_media_uuid || null })),
    hazards: record.hazards.map((h) => ({ uuid: h.uuid, description: h.description, place: h.place, level: h.level,
                                          legal_basis: h.legal_basis, media_uuids: h.media_uuids,
                                          item_position: h.item_position })),
    // Evidence added to hazards already open (instead of reporting them again).
    followups: (record.followups || []).map((f) => ({ uuid: f.uuid, hazard_id: f.hazard_id, note: clean(f.note),
                                                     media_uuids: f.media_uuids })),
    finish: record.finish,
    // The code scanned on site, as scanned (what the phone noticed stays on the phone).
    checkin: record.checkin ? { token: record.checkin.token, at: record.checkin.at, position: record.checkin.position } : null,
    app_version: appVersion || ""
  };
}

// Findings a clean visit or a visit with hazards usually records, offered as one tap each; they
// fill 检查情况 and 处理措施 together, both still editable.
export function findingsPhrases(record, texts) {
  const failed = record.results.filter((r) => r.result === "fail").length;
  const n = record.hazards.length;
  if (!failed && !n) {
    return [{ label: texts.phrase_clean, findings: texts.phrase_clean_findings, measures: texts.phrase_clean_measures }];
  }
  const out = [];
  if (n) {
    const what = record.hazards.map((h) => h.description).join("；");
    out.push({ label: texts.phrase_hazards.replace("{n}", n),
               findings: texts.phrase_hazards_findings.replace("{n}", n).replace("{what}", what),
               measures: texts.phrase_hazards_measures });
  }
  if (failed) {
    out.push({ label: texts.phrase_fixed, findings: texts.phrase_fixed_findings.replace("{n}", failed),
               measures: texts.phrase_fixed_measures });
  }
  return out;
}

export function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b[0] - a[0]) * rad;
  const dLng = (b[1] - a[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}
