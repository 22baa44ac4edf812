// Runs the tests of one group built by scripts/build.mjs (out/GROUP/*.test.js) with Node's test runner.
//
//   node scripts/run-tests.mjs unit    the unit tests (npm run test:unit)
//   node scripts/run-tests.mjs vsix    the checks of the packaged .vsix (npm run test:vsix)

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const group = process.argv[2];
const folder = path.join(root, 'out', group ?? '');
if (group === undefined || !fs.existsSync(folder)) {
    console.error(`usage: node scripts/run-tests.mjs unit|vsix (after \`npm run build\`; ${folder} does not exist)`);
    process.exit(2);
}
const files = fs
    .readdirSync(folder)
    .filter((name) => name.endsWith('.test.js'))
    .map((name) => path.join(folder, name));
if (files.length === 0) {
    console.error(`no tests in ${folder}`);
    process.exit(2);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
