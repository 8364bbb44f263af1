// Run with `node --test`: builds the program and presses its button through `capsule run`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";

const program = dirname(dirname(fileURLToPath(import.meta.url)));
const capsule = process.env.CAPSULE_CLI || "capsule";

test("the button counts", () => {
  const out = execFileSync(capsule, ["run", program, "--tap", "increment", "--json"], { encoding: "utf8" });
  const views = out.trim().split("\n").map((line) => JSON.parse(line));
  const texts = views.at(-1).children.map((node) => node.text);
  assert.ok(texts.includes("Pressed 1 time."), JSON.stringify(texts));
});
