// The capture form's record logic (static/js/capture/record.js), under node's test runner.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as R from "../../static/js/capture/record.js";

// The server's own texts for the capture page (web/app_texts.capture), written by tests/test_js.py.
const SERVER = JSON.parse(readFileSync(process.env.FIELDAPP_CAPTURE_TEXTS, "utf8"));

const TEXTS = {
  required_fields: ["id_shown", "work_id_number", "parts", "findings", "measures"],
  missing_id_shown: "出示证件", missing_work_id_number: "工作证号", missing_parts: "部位", missing_findings: "情况",
  missing_measures: "措施", missing_results: "还有 %(n)d 个检查项未选择结果。",
  missing_results_note: "不合格的检查项须写明问题（%(n)d 项未写）。",
  phrase_clean: "未发现问题", phrase_clean_findings: "经检查，未发现安全隐患。", phrase_clean_measures: "无",
  phrase_hazards: "发现隐患 {n} 处", phrase_hazards_findings: "隐患 {n} 处：{what}", phrase_hazards_measures: "已上报",
  phrase_fixed: "已责令改正", phrase_fixed_findings: "不合格 {n} 项", phrase_fixed_measures: "限期改正"
};

function template() {
  return { id: 7, name: "通用", default_parts: "车间", default_content: "消防",
           items: [{ position: 0, category: "管理", text: "责任制", phrases: ["未签订"] },
                   { position: 1, category: "管理", text: "制度" },
                   { position: 2, category: "消防", text: "通道" }] };
}

function record(enterprise = {}) {
  return R.newRecord({ uuid: "u-1", now: "2026-12-06T02:00:00Z", template: template(),
                       me: { display_name: "王建华", work_id: "" }, rememberedWorkId: "WGY-9",
                       enterprise: { id: 3, name: "甲公司", uscc: "X", latitude: 31, longitude: 120,
                                     safety_manager_name: "李四", ...enterprise } });
}

test("a new record proposes what the inspector would type again", () => {
  const fresh = record();
  assert.equal(fresh.fields.work_id_number, "WGY-9");
  assert.equal(fresh.fields.parts, "车间");
  assert.equal(fresh.defaults_from, "template");
  assert.equal(fresh.signer_default, "李四");
  const again = record({ last_visit: { parts: "仓库", content: "用电", signer_name: "张三" } });
  assert.deepEqual([again.fields.parts, again.fields.content, again.signer_default, again.defaults_from],
                   ["仓库", "用电", "张三", "last_visit"]);
});

test("sections keep the template's order and group by category", () => {
  assert.deepEqual(R.sections(record()).map((s) => [s.name, s.items.length]), [["管理", 2], ["消防", 1]]);
});

test("the rest of a section pass together, can be undone, and an answer given alone is not bulk", () => {
  const r = record();
  R.answer(r, 0, "fail");
  const set = R.passRest(r, "管理");
  assert.deepEqual(set, [1]);
  assert.equal(R.result(r, 1).bulk, true);
  assert.equal(R.result(r, 2).result, null);  // another section
  assert.deepEqual(R.passRest(r), [2]);
  R.undoPass(r, [2]);
  assert.equal(R.result(r, 2).result, null);
  R.answer(r, 1, "pass");
  assert.equal(R.result(r, 1).bulk, false);
});

test("missing lists what the server would refuse, each with where to go", () => {
  const r = record();
  let gaps = R.missing(r, TEXTS);
  assert.deepEqual(gaps.map((g) => g.key), ["id_shown", "findings", "measures", "results"]);
  assert.equal(gaps.find((g) => g.key === "results").target, "item-0");
  assert.equal(gaps.find((g) => g.key === "results").text, "还有 3 个检查项未选择结果。");
  r.fields.id_shown = true;
  R.answer(r, 0, "fail");
  R.passRest(r);
  gaps = R.missing(r, TEXTS);
  assert.deepEqual(gaps.find((g) => g.key === "results_note"), { key: "results_note", target: "note-0",
                                                                   text: "不合格的检查项须写明问题（1 项未写）。" });
  assert.equal(R.nextStop(r, TEXTS), "note-0");
  R.result(r, 0).note = "未签订";
  assert.equal(R.nextStop(r, TEXTS), "f-findings");
});

test("the summary is the server's, line for line", () => {
  const r = record();
  Object.assign(r.fields, { work_id_number: "WGY-9", parts: " 车间 ", findings: "一处", measures: "整改" });
  R.answer(r, 2, "fail");
  R.result(r, 2).note = "堵塞";
  r.hazards.push({ level: "major", place: "仓库", description: "通道堵塞" });
  assert.equal(R.summary(r, SERVER.summary_format), ["现场检查记录 u-1", "企业：甲公司（X）", "检查人员：王建华（工作证号 WGY-9）",
                              "检查部位：车间", "检查情况：一处", "处理措施：整改", "不合格项：1 项", "  - 通道：堵塞",
                              "上报隐患：1 项", "  - [重大] 仓库 通道堵塞"].join("\n"));
});

test("the payload says which answers were given together and which photo has a marked copy", () => {
  const r = record();
  R.passRest(r);
  R.answer(r, 1, "na");
  r.photos.push({ media_uuid: "m-1", item_position: 0, caption: " 配电箱 ", marked_media_uuid: "m-2" });
  const body = R.payload(r, "v1");
  assert.deepEqual(body.results.map((x) => [x.result, x.bulk]), [["pass", true], ["na", false], ["pass", true]]);
  assert.deepEqual(body.photos, [{ media_uuid: "m-1", item_position: 0, caption: "配电箱", marked_media_uuid: "m-2" }]);
  assert.equal(body.app_version, "v1");
  assert.equal("phrases" in body.results[0], false);  // what the phone keeps for itself stays there
});

test("findings phrases follow what the visit found", () => {
  const r = record();
  assert.deepEqual(R.findingsPhrases(r, TEXTS).map((p) => p.label), ["未发现问题"]);
  R.answer(r, 0, "fail");
  r.hazards.push({ description: "通道堵塞" });
  const labels = R.findingsPhrases(r, TEXTS);
  assert.equal(labels[0].findings, "隐患 1 处：通道堵塞");
  assert.deepEqual(labels.map((p) => p.label), ["发现隐患 1 处", "已责令改正"]);
});
