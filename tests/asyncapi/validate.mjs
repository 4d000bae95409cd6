// Validates an AsyncAPI document with the official parser (@asyncapi/parser).
// Usage: node validate.mjs FILE. Prints one JSON line: {"errors": [...], "warnings": [...],
// "channels": N, "operations": N, "messages": N}; exits 1 when the document has errors.
import { Parser, fromFile } from '@asyncapi/parser';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs FILE');
  process.exit(2);
}
const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, file).parse();
// Spectral severities: 0 error, 1 warning, 2 information, 3 hint.
const shown = (d) => ({ code: String(d.code), message: d.message, path: d.path.join('.') });
const errors = diagnostics.filter((d) => d.severity === 0).map(shown);
const warnings = diagnostics.filter((d) => d.severity === 1).map(shown);
const counts = document
  ? { channels: document.channels().length, operations: document.operations().length,
      messages: document.messages().length, version: document.version() }
  : {};
console.log(JSON.stringify({ errors, warnings, ...counts }));
process.exit(document && errors.length === 0 ? 0 : 1);
