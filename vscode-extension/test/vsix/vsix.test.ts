// The packaged extension (out/vitte.vsix, made by `npm test`'s package step): exactly the files the
// extension needs, a manifest that is the source's, and the production bundle.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, it } from 'node:test';

import { EXTENSION_ROOT, MANIFEST } from '../support/paths';

const VSIX = path.join(EXTENSION_ROOT, 'out', 'vitte.vsix');

/** The files of a zip archive, by name, decompressed. */
function unzip(archive: Buffer): Map<string, Buffer> {
    const endOfDirectory = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    assert.ok(endOfDirectory >= 0, 'not a zip archive: no end of central directory');
    const count = archive.readUInt16LE(endOfDirectory + 10);
    let entry = archive.readUInt32LE(endOfDirectory + 16);
    const files = new Map<string, Buffer>();
    for (let index = 0; index < count; index++) {
        assert.equal(archive.readUInt32LE(entry), 0x02014b50, `bad central directory entry ${index}`);
        const method = archive.readUInt16LE(entry + 10);
        const compressedSize = archive.readUInt32LE(entry + 20);
        const nameLength = archive.readUInt16LE(entry + 28);
        const extraLength = archive.readUInt16LE(entry + 30);
        const commentLength = archive.readUInt16LE(entry + 32);
        const localHeader = archive.readUInt32LE(entry + 42);
        const name = archive.toString('utf8', entry + 46, entry + 46 + nameLength);
        const dataStart = localHeader + 30 + archive.readUInt16LE(localHeader + 26) + archive.readUInt16LE(localHeader + 28);
        const data = archive.subarray(dataStart, dataStart + compressedSize);
        files.set(name, method === 8 ? zlib.inflateRawSync(data) : Buffer.from(data));
        entry += 46 + nameLength + extraLength + commentLength;
    }
    return files;
}

describe('the .vsix', () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} does not exist: run \`npm run package -- --out out/vitte.vsix\` first`);
    const files = unzip(fs.readFileSync(VSIX));

    it('holds exactly the manifest, docs, license, bundle, grammar, language configuration, snippets and icon', () => {
        assert.deepEqual([...files.keys()].sort(), [
            '[Content_Types].xml',
            'extension.vsixmanifest',
            'extension/LICENSE.txt',
            'extension/changelog.md',
            'extension/dist/extension.js',
            'extension/images/vitte-file.svg',
            'extension/language-configuration.json',
            'extension/package.json',
            'extension/readme.md',
            'extension/snippets/vitte.json',
            'extension/syntaxes/vitte.tmLanguage.json',
        ]);
    });

    it("carries the source's package.json", () => {
        const packaged = JSON.parse(files.get('extension/package.json')?.toString('utf8') ?? '{}');
        assert.equal(packaged.name, MANIFEST.name);
        assert.equal(packaged.version, MANIFEST.version);
        assert.deepEqual(packaged.contributes, MANIFEST.contributes);
        assert.equal(packaged.main, './dist/extension.js');
    });

    it('names the publisher and the extension in its manifest', () => {
        const manifest = files.get('extension.vsixmanifest')?.toString('utf8') ?? '';
        assert.match(manifest, new RegExp(`Id="${MANIFEST.name}"`));
        assert.match(manifest, new RegExp(`Publisher="${MANIFEST.publisher}"`));
        assert.match(manifest, new RegExp(`Version="${MANIFEST.version.replace(/\./g, '\\.')}"`));
    });

    it('has the minified production bundle, without a source map', () => {
        const bundle = files.get('extension/dist/extension.js')?.toString('utf8') ?? '';
        assert.ok(bundle.length > 10_000, 'the bundle is suspiciously small');
        assert.ok(!bundle.includes('sourceMappingURL'), 'the bundle refers to a source map');
        // Minified code has a few very long lines (string literals keep their line breaks); source has short ones.
        const lines = bundle.split('\n').length;
        assert.ok(bundle.length / lines > 1000, `the bundle is not minified (${lines} lines)`);
    });
});
