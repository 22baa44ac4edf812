// Bundles the extension with esbuild into dist/extension.js (vscode-languageclient included, so the
// .vsix needs no node_modules) and, unless --production, the tests into out/.
//
//   node scripts/build.mjs                 extension (with a source map) and tests
//   node scripts/build.mjs --production    extension only, minified (what `vsce package` runs)

import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const production = process.argv.includes('--production');

/** Options every bundle shares: Node.js as VS Code 1.82 runs it, CommonJS, `vscode` provided by VS Code. */
const common = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    external: ['vscode'],
    logLevel: 'warning',
};

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
await esbuild.build({
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    minify: production,
    sourcemap: !production,
});

if (!production) {
    fs.rmSync(path.join(root, 'out'), { recursive: true, force: true });
    for (const group of ['unit', 'vsix']) {
        const folder = path.join('test', group);
        const entryPoints = fs
            .readdirSync(path.join(root, folder))
            .filter((name) => name.endsWith('.test.ts'))
            .map((name) => path.join(folder, name));
        await esbuild.build({ ...common, entryPoints, outdir: path.join('out', group), sourcemap: 'inline' });
    }
}
