/**
 * `deno task bench <name>`: runs one benchmark suite and prints its figures as JSON.
 * Each suite is `bench/<name>.ts` with a default export `() => Promise<unknown>`.
 */
const SUITES = ["engine", "tensors", "finetune", "dashboard", "slurm"];

const name = Deno.args[0];
if (!name || !SUITES.includes(name)) {
  console.error(`Usage: deno task bench <${SUITES.join("|")}>`);
  Deno.exit(2);
}
const suite = await import(`./${name}.ts`) as { default: (args: string[]) => Promise<unknown> };
const figures = await suite.default(Deno.args.slice(1));
console.log(JSON.stringify({ [name]: figures }, null, 2));
