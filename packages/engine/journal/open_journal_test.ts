import assert from "node:assert/strict";
import { CacheError } from "../store/cache_error.ts";
import type { CacheLayout } from "../store/cache_layout.ts";
import { Journal } from "./journal.ts";
import { JournalReader } from "./journal_reader.ts";
import { recordRun, tempCache } from "./_test_runs.ts";

/** A journal with enough rows to span many pages, then `damage` applied to its file. */
async function damagedJournal(
  cache: CacheLayout,
  damage: (bytes: Uint8Array) => Uint8Array,
): Promise<void> {
  const journal = new Journal(cache);
  for (let i = 0; i < 20; i++) {
    recordRun(journal, {
      id: `r${i}`,
      stages: Array.from({ length: 50 }, (_, s) => ({ id: `stage-${s}`, key: `${i}-${s}` })),
    });
  }
  journal.close();
  await Deno.writeFile(cache.journal, damage(await Deno.readFile(cache.journal)));
}

const DAMAGE: Record<string, (bytes: Uint8Array) => Uint8Array> = {
  "truncated to half": (bytes) => bytes.slice(0, bytes.length / 2),
  "truncated to its header": (bytes) => bytes.slice(0, 100),
  "overwritten with text": () => new TextEncoder().encode("not a database\n".repeat(500)),
};

for (const [name, damage] of Object.entries(DAMAGE)) {
  Deno.test(`a journal ${name} is reported with its recovery, by writers and readers`, async () => {
    await using cache = await tempCache();
    await damagedJournal(cache, damage);
    const recovery = (e: Error) =>
      e instanceof CacheError &&
      e.message.startsWith(`The run journal "${cache.journal}" is damaged (`) &&
      e.message.includes("Stored results are intact") &&
      e.message.includes(`mv "${cache.journal}"* "${cache.root}/journal.damaged/"`);
    assert.throws(() => new Journal(cache), recovery);
    const reader = new JournalReader(cache);
    assert.throws(() => reader.listRuns(), recovery);
    assert.throws(() => reader.keysToKeep(() => true), recovery);
  });
}

Deno.test("moving a damaged journal aside starts a new one", async () => {
  await using cache = await tempCache();
  await damagedJournal(cache, DAMAGE["overwritten with text"]!);
  await Deno.mkdir(`${cache.root}/journal.damaged`);
  for await (const entry of Deno.readDir(cache.root)) {
    if (entry.name.startsWith("journal.db")) {
      await Deno.rename(
        `${cache.root}/${entry.name}`,
        `${cache.root}/journal.damaged/${entry.name}`,
      );
    }
  }
  const journal = new Journal(cache);
  recordRun(journal, { id: "r1", stages: [{ id: "a" }] });
  journal.close();
  assert.deepEqual(new JournalReader(cache).listRuns().map((r) => r.id), ["r1"]);
});

Deno.test("a cache directory that is a file is reported, not opened", async () => {
  await using cache = await tempCache();
  const file = `${cache.root}/plain.txt`;
  await Deno.writeTextFile(file, "x");
  for (const dir of [file, `${file}/below`]) {
    const notADirectory = (e: Error) =>
      e instanceof CacheError &&
      e.message === `Cache directory "${dir}" is not a directory (it or a parent is a file): ` +
          "pass --cache-dir a directory, or move the file away";
    assert.throws(() => new Journal(dir), notADirectory);
    assert.throws(() => new JournalReader(dir).listRuns(), notADirectory);
  }
});

Deno.test("an empty journal file is a new journal", async () => {
  await using cache = await tempCache();
  await Deno.writeFile(cache.journal, new Uint8Array());
  const reader = new JournalReader(cache);
  assert.deepEqual(reader.listRuns(), []);
  const journal = new Journal(cache);
  recordRun(journal, { id: "r1", stages: [{ id: "a" }] });
  journal.close();
  assert.deepEqual(reader.listRuns().map((r) => r.id), ["r1"]);
  reader.close();
});
