import assert from "node:assert/strict";
import { accountingDisabled, parseSacct, parseSqueue, sacctArgs, squeueArgs } from "./squeue.ts";

Deno.test("squeueArgs() asks once for every state of every named job", () => {
  assert.deepEqual(squeueArgs(["dropline.a", "dropline.b"]), [
    "-h",
    "-t",
    "all",
    "--name=dropline.a,dropline.b",
    "-o",
    "%i|%T|%r|%N",
  ]);
});

Deno.test("parseSqueue() reads states, reasons and nodes as seen on the local cluster", () => {
  // Lines as squeue printed them in docs/notes/slurm_facts.md.
  const text = [
    "330|PENDING|Resources|",
    "331|RUNNING|None|localhost",
    "311|FAILED|NonZeroExitCode|localhost",
    "312|OUT_OF_MEMORY|OutOfMemory|localhost",
    "95|TIMEOUT|TimeLimit|localhost",
    "",
  ].join("\n");
  assert.deepEqual(parseSqueue(text), [
    { jobId: "330", state: "PENDING", reason: "Resources" },
    { jobId: "331", state: "RUNNING", node: "localhost" },
    { jobId: "311", state: "FAILED", reason: "NonZeroExitCode", node: "localhost" },
    { jobId: "312", state: "OUT_OF_MEMORY", reason: "OutOfMemory", node: "localhost" },
    { jobId: "95", state: "TIMEOUT", reason: "TimeLimit", node: "localhost" },
  ]);
  assert.deepEqual(parseSqueue(""), []);
});

Deno.test("parseSacct() keeps the state word and the exit code", () => {
  assert.deepEqual(sacctArgs(["1", "2"]), [
    "-n",
    "-X",
    "-P",
    "-j",
    "1,2",
    "-o",
    "JobIDRaw,State,Reason,NodeList,ExitCode",
  ]);
  const text = "12|CANCELLED by 1000|None|n3|0:15\n13|NODE_FAIL|NodeDown|n4|0:0\n" +
    "14|PENDING|Priority|None assigned|0:0\n";
  assert.deepEqual(parseSacct(text), [
    { jobId: "12", state: "CANCELLED", node: "n3", exitCode: "0:15" },
    { jobId: "13", state: "NODE_FAIL", reason: "NodeDown", node: "n4", exitCode: "0:0" },
    { jobId: "14", state: "PENDING", reason: "Priority", node: "None assigned", exitCode: "0:0" },
  ]);
});

Deno.test("accountingDisabled() recognises sacct's message without accounting", () => {
  assert.equal(accountingDisabled("sacct: error: Slurm accounting storage is disabled"), true);
  assert.equal(accountingDisabled("sacct: error: Problem talking to the database"), false);
});
