import assert from "node:assert/strict";
import { resolveDomains } from "./finetune_params.ts";

const angles = ["0", "30", "60"];

Deno.test("resolveDomains() reads strings as names and numbers as indices", () => {
  assert.deepEqual(resolveDomains(angles, ["60"]), { trainDomains: [0, 1], testDomains: [2] });
  assert.deepEqual(resolveDomains(angles, [1]), { trainDomains: [0, 2], testDomains: [1] });
  // Index 0 is the domain named "0": no ambiguity.
  assert.deepEqual(resolveDomains(angles, [0]).testDomains, [0]);
});

Deno.test("resolveDomains() says a number was read as an index", () => {
  assert.throws(
    () => resolveDomains(angles, [60]),
    new RangeError(
      'Test domain 60 is read as an index (numbers are indices; write "60" in quotes for the ' +
        'domain named "60"), but the data has 3 domains (indices 0 to 2): "0", "30", "60"',
    ),
  );
  assert.throws(
    () => resolveDomains(angles, [7]),
    new RangeError(
      "Test domain 7 is read as an index (numbers are indices), but the data has 3 domains " +
        '(indices 0 to 2): "0", "30", "60"',
    ),
  );
  assert.throws(() => resolveDomains(angles, ["90"]), /Unknown test domain "90": the data has/);
});

Deno.test("resolveDomains() refuses a number that is one domain's index and another's name", () => {
  assert.throws(
    () => resolveDomains(["30", "0", "60"], [0]),
    new RangeError(
      'Test domain 0 is ambiguous: numbers are indices, and index 0 is "30", but a domain is ' +
        'named "0"; write "30" or "0" in quotes',
    ),
  );
});
