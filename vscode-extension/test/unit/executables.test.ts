// findProgram: the setting first (absolute, relative to a workspace folder, `~`), else PATH; a clear
// message naming the setting when the program cannot be found.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { findProgram, Lookup, VITTE_DAP, VITTE_LSP } from '../../src/executables';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vitte-executables-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Creates `relative` under the scratch folder, executable unless told otherwise; gives its path. */
function file(relative: string, executable = true): string {
    const full = path.join(scratch, relative);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, '#!/bin/sh\n');
    fs.chmodSync(full, executable ? 0o755 : 0o644);
    return full;
}

function posix(lookup: Partial<Lookup>): Lookup {
    return { baseFolders: [], env: {}, platform: 'linux', ...lookup };
}

describe('findProgram on PATH', { skip: process.platform === 'win32' }, () => {
    const first = file('first/vitte-dap');
    file('second/vitte-dap');
    file('notexec/vitte-dap', false);

    it('gives the first executable of PATH', () => {
        const env = { PATH: ['', path.join(scratch, 'missing'), path.join(scratch, 'first'), path.join(scratch, 'second')].join(':') };
        assert.deepEqual(findProgram(VITTE_DAP, posix({ env })), { path: first });
    });

    it('skips files that are not executable', () => {
        const env = { PATH: [path.join(scratch, 'notexec'), path.join(scratch, 'second')].join(':') };
        assert.deepEqual(findProgram(VITTE_DAP, posix({ env })), { path: path.join(scratch, 'second/vitte-dap') });
    });

    it('says how to fix it when the program is nowhere', () => {
        const found = findProgram(VITTE_LSP, posix({ env: { PATH: path.join(scratch, 'first') } }));
        assert.ok('problem' in found);
        assert.match(found.problem, /^vitte-lsp was not found on PATH/);
        assert.match(found.problem, /"vitte\.lsp\.path"/);
    });

    it('treats an empty setting as unset', () => {
        const env = { PATH: path.join(scratch, 'first') };
        assert.deepEqual(findProgram(VITTE_DAP, posix({ env, configured: '  ' })), { path: first });
    });
});

describe('findProgram from the setting', { skip: process.platform === 'win32' }, () => {
    const built = file('workspace/target/debug/vitte-dap');
    const onPath = file('bin/vitte-dap');
    const env = { PATH: path.join(scratch, 'bin'), HOME: path.join(scratch, 'workspace') };

    it('takes an absolute path as it is, before PATH', () => {
        assert.deepEqual(findProgram(VITTE_DAP, posix({ env, configured: built })), { path: built });
    });

    it('resolves a relative path against the workspace folders, in order', () => {
        const baseFolders = [path.join(scratch, 'elsewhere'), path.join(scratch, 'workspace')];
        const found = findProgram(VITTE_DAP, posix({ env, configured: 'target/debug/vitte-dap', baseFolders }));
        assert.deepEqual(found, { path: built });
    });

    it('expands ~ to the home folder', () => {
        assert.deepEqual(findProgram(VITTE_DAP, posix({ env, configured: '~/target/debug/vitte-dap' })), { path: built });
    });

    it('never falls back to PATH when the setting is wrong, and names the setting and what was tried', () => {
        const missing = path.join(scratch, 'nowhere/vitte-dap');
        const found = findProgram(VITTE_DAP, posix({ env, configured: missing }));
        assert.ok('problem' in found, `found ${JSON.stringify(found)} although ${onPath} is on PATH`);
        assert.match(found.problem, /^"vitte\.dap\.path" is set to ".*nowhere\/vitte-dap", but that is not an executable file/);
        assert.ok(found.problem.includes(`tried ${missing}`), found.problem);
    });

    it('explains a relative setting without a workspace folder', () => {
        const found = findProgram(VITTE_DAP, posix({ env, configured: 'target/debug/vitte-dap' }));
        assert.ok('problem' in found);
        assert.match(found.problem, /no workspace folder is open/);
    });
});

describe('findProgram on Windows', () => {
    const exe = file('win/vitte-dap.EXE');

    it('tries the PATHEXT extensions, with the Path variable in any case', () => {
        const lookup: Lookup = {
            baseFolders: [],
            env: { Path: `${path.join(scratch, 'nothing')};${path.join(scratch, 'win')}`, PathExt: '.COM;.EXE' },
            platform: 'win32',
        };
        assert.deepEqual(findProgram(VITTE_DAP, lookup), { path: exe });
    });
});
