// Run by Capsule with node: compile a program's TypeScript modules to the CommonJS
// the JS runtime loads. Reads {"files": {name: text}} on stdin, writes
// {"outputs": {name.js: text}, "problems": ["file:line:col message", ...]}.
const ts = require("typescript");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const { files } = JSON.parse(input);
  const outputs = {};
  const problems = [];
  for (const [name, text] of Object.entries(files)) {
    const result = ts.transpileModule(text, {
      fileName: name,
      reportDiagnostics: true,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        removeComments: false,
      },
    });
    for (const d of result.diagnostics || []) {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      problems.push(where ? `${name}:${where.line + 1}:${where.character + 1} ${text}` : `${name}: ${text}`);
    }
    outputs[name.replace(/\.ts$/, ".js")] = result.outputText;
  }
  process.stdout.write(JSON.stringify({ outputs, problems }));
});
