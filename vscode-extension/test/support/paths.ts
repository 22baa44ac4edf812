// What the tests share: the extension's folder, its package.json, and the project's binaries given by
// environment variables (`cargo xtask e2e` sets them to the binaries it just built).

import * as fs from 'node:fs';
import * as path from 'node:path';

/** The extension's folder (the tests run from out/GROUP/). */
export const EXTENSION_ROOT = path.resolve(__dirname, '..', '..');

/** A file of the extension, parsed as JSON. */
export function readJson(relative: string): any {
    return JSON.parse(fs.readFileSync(path.join(EXTENSION_ROOT, relative), 'utf8'));
}

/** The extension's package.json. */
export const MANIFEST = readJson('package.json');

/**
 * The binary named by environment variable `variable` (VITTE_DAP, VITTE_LSP); the test fails with an
 * explanation when it is not set or not a file.
 */
export function binaryFromEnvironment(variable: string): string {
    const binary = process.env[variable];
    if (binary === undefined || binary === '') {
        throw new Error(
            `${variable} is not set: it must be the path of the ${variable.toLowerCase().replace('_', '-')} binary ` +
                '(`cargo xtask e2e --suite vscode` builds it and sets it)',
        );
    }
    if (!fs.statSync(binary, { throwIfNoEntry: false })?.isFile()) {
        throw new Error(`${variable}=${binary} is not a file`);
    }
    return binary;
}
