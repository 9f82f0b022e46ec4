import assert from "node:assert/strict";
import { checkFields, fieldPaths } from "./param_fields.ts";

const runs = [
  { dropout: 0, seed: 0, schedule: { kind: "constant" }, test_domains: ["60"] },
  { dropout: 0.9, seed: 1, schedule: { kind: "early" }, test_domains: ["60"], alpha: 0.5 },
];

Deno.test("fieldPaths() lists nested fields by dotted path, arrays as leaves", () => {
  assert.deepEqual(fieldPaths(runs[0]!), [
    "dropout",
    "seed",
    "schedule",
    "schedule.kind",
    "test_domains",
  ]);
});

Deno.test("checkFields() accepts fields some input has", () => {
  checkFields(runs, ["dropout", "schedule.kind", "alpha", "test_domains"], { option: "rows_by" });
});

Deno.test("checkFields() names a field no input has and lists those they have", () => {
  assert.throws(
    () => checkFields(runs, ["dropout", "droput"], { option: "rows_by" }),
    new RangeError(
      'Unknown rows_by field "droput": the inputs\' parameters are "alpha", "dropout", "schedule", ' +
        '"schedule.kind", "seed", "test_domains"',
    ),
  );
  assert.throws(
    () => checkFields(runs, ["schedule.knd"], { option: "group_by" }),
    /"schedule.knd"/,
  );
});

Deno.test("checkFields() lets optional fields be absent from every input", () => {
  checkFields([{ lr: 0.01 }], ["seed"], { option: "trials_by", optional: ["seed"] });
  assert.throws(() => checkFields([{ lr: 0.01 }], ["seed"], { option: "trials_by" }), /"seed"/);
});
