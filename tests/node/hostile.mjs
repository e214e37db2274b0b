// Hostile-input run through the WASM module `warranty/sync` (scripts/hostile-run.sh): the
// NDJSON file through one Engine's callBatch in chunks of 10,000 lines, responses to stdout, to be byte-compared
// with `wty call --ndjson`. usage: node tests/node/hostile.mjs FILE > responses.ndjson
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const w = require('../../wasm/pkg/sync.cjs');
const engine = new w.Engine();
let chunk = [];
let requests = 0;
const flush = () => {
  if (chunk.length === 0) return;
  process.stdout.write(engine.callBatch(chunk.join('\n') + '\n'));
  requests += chunk.length;
  chunk = [];
};
const rl = createInterface({ input: createReadStream(process.argv[2]), crlfDelay: Infinity });
for await (const line of rl) {
  chunk.push(line);
  if (chunk.length === 10000) flush();
}
flush();
engine.free();
process.stderr.write(`hostile (WASM): ${requests} requests\n`);
