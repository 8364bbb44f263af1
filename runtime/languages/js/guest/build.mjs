// Run by Capsule with node: componentize the JS runtime. Not shipped to programs.
//   node build.mjs <entry.js> <wit dir> <world> <out.wasm>
import { componentize } from "@bytecodealliance/componentize-js";
import { writeFile } from "node:fs/promises";

const [entry, wit, world, out] = process.argv.slice(2);
const { component } = await componentize({
  sourcePath: entry,
  witPath: wit,
  worldName: world,
  // No outbound HTTP of StarlingMonkey's own: the network capability is Capsule's.
  disableFeatures: ["http", "fetch-event"],
});
await writeFile(out, component);
