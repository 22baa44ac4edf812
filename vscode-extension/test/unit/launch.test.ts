// Debug configurations: F5 without launch.json, configurations missing `program` or `cwd`, `attach`,
// and the file a command is for.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';

import {
    completeConfiguration,
    configurationForFile,
    fileOfCommandArgument,
    LaunchConfiguration,
    withDefaultCwd,
} from '../../src/launch';

const program = path.resolve('/projects/demo/hello.vit');
const vitteEditor = { path: program, languageId: 'vitte' };
const markdownEditor = { path: path.resolve('/projects/demo/notes.md'), languageId: 'markdown' };

function completed(configuration: LaunchConfiguration, active = vitteEditor as typeof vitteEditor | undefined): LaunchConfiguration {
    const result = completeConfiguration(configuration, active);
    assert.ok('configuration' in result, `refused: ${JSON.stringify(result)}`);
    return result.configuration;
}

function refused(configuration: LaunchConfiguration, active?: typeof vitteEditor): string {
    const result = completeConfiguration(configuration, active);
    assert.ok('problem' in result, `accepted: ${JSON.stringify(result)}`);
    return result.problem;
}

describe('completeConfiguration', () => {
    it('debugs the active .vit file when there is no launch.json (an empty configuration)', () => {
        assert.deepEqual(completed({}), {
            type: 'vitte',
            request: 'launch',
            name: 'Debug hello.vit',
            program,
            stopOnEntry: false,
        });
    });

    it('keeps noDebug of Run Without Debugging', () => {
        assert.equal(completed({ noDebug: true }).noDebug, true);
        assert.equal(completed({ noDebug: true }).program, program);
    });

    it('asks for a .vit file when the active editor holds something else, or nothing', () => {
        assert.match(refused({}, markdownEditor), /Open a \.vit file to debug it/);
        assert.match(refused({}), /Open a \.vit file to debug it/);
    });

    it('fills a missing program with the active .vit file, and keeps the rest', () => {
        const result = completed({ type: 'vitte', request: 'launch', name: 'mine', args: ['x'] });
        assert.deepEqual(result, { type: 'vitte', request: 'launch', name: 'mine', args: ['x'], program });
    });

    it('names the configuration whose program is missing when no .vit file is active', () => {
        const problem = refused({ type: 'vitte', request: 'launch', name: 'mine', program: ' ' }, markdownEditor);
        assert.match(problem, /"mine" has no "program"/);
    });

    it('leaves a complete configuration as it is', () => {
        const configuration = { type: 'vitte', request: 'launch', name: 'x', program: '${file}', stopOnEntry: true };
        assert.deepEqual(completed(configuration, undefined), configuration);
    });

    it('refuses attach', () => {
        const problem = refused({ type: 'vitte', request: 'attach', name: 'remote', program }, vitteEditor);
        assert.match(problem, /"remote" has "request": "attach"; vitte-dap only launches programs/);
    });
});

describe('withDefaultCwd', () => {
    it('uses the workspace folder', () => {
        assert.equal(withDefaultCwd({ program }, '/projects/demo').cwd, '/projects/demo');
    });

    it("uses the program's folder without a workspace", () => {
        assert.equal(withDefaultCwd({ program }, undefined).cwd, path.dirname(program));
    });

    it('keeps a given cwd, and adds none for a relative program without a workspace', () => {
        assert.equal(withDefaultCwd({ program, cwd: '/elsewhere' }, '/projects/demo').cwd, '/elsewhere');
        assert.equal('cwd' in withDefaultCwd({ program: 'hello.vit' }, undefined), false);
    });
});

describe('configurationForFile', () => {
    it('launches the file, named after it', () => {
        assert.deepEqual(configurationForFile(program), {
            type: 'vitte',
            request: 'launch',
            name: 'Debug hello.vit',
            program,
            stopOnEntry: false,
        });
    });
});

describe('fileOfCommandArgument', () => {
    it('reads the URI string of a code lens', () => {
        assert.equal(fileOfCommandArgument(pathToFileURL(program).href, undefined), program);
    });

    it('reads the Uri of a menu, else falls back to the active file', () => {
        assert.equal(fileOfCommandArgument({ fsPath: program, scheme: 'file' }, '/other.vit'), program);
        assert.equal(fileOfCommandArgument(undefined, '/other.vit'), '/other.vit');
        assert.equal(fileOfCommandArgument(42, undefined), undefined);
    });
});
