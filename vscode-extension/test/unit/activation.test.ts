// The bundled extension (dist/extension.js) loaded in plain Node.js with a stand-in `vscode`: it needs no
// other module, `activate` registers what package.json declares, F5 and the Run/Debug commands (also
// those of vitte-lsp's code lenses) do what they should, and missing programs are explained.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, beforeEach, describe, it } from 'node:test';

import { DEBUG_FILE, DEBUG_TYPE, RUN_FILE } from '../../src/ids';
import { FakeUri, FakeVscode, loadWithFakeVscode } from '../support/fakeVscode';
import { binaryFromEnvironment, EXTENSION_ROOT, MANIFEST } from '../support/paths';

const bundle = path.join(EXTENSION_ROOT, 'dist', 'extension.js');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vitte-activation-'));
const emptyFolder = fs.mkdtempSync(path.join(scratch, 'empty-'));
const program = path.join(scratch, 'project', 'hello.vit');
fs.mkdirSync(path.dirname(program));
fs.writeFileSync(program, 'proc main() { print("hello"); }\n');
/** Some executable file, standing in for a program the extension starts. */
const anExecutable = process.execPath;
const savedPath = process.env.PATH;

after(() => {
    process.env.PATH = savedPath;
    fs.rmSync(scratch, { recursive: true, force: true });
});

let fake: FakeVscode;
let extension: any;

beforeEach(() => {
    fake = new FakeVscode();
    fake.settings['vitte.lsp.path'] = path.join(scratch, 'no-such-vitte-lsp');
    fake.workspaceFolders = [{ uri: FakeUri.file(path.dirname(program)), name: 'project', index: 0 }];
    extension = loadWithFakeVscode(bundle, fake).exports;
    extension.activate({ subscriptions: [] });
});

/** Lets the promises the extension started (messages, the language server) settle. */
function settle(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
}

function provider(trigger: number): any {
    const found = fake.debugProviders.find((entry) => entry.type === DEBUG_TYPE && entry.trigger === trigger);
    assert.ok(found, `no provider of trigger ${trigger}`);
    return found.provider;
}

describe('the bundle', () => {
    it('needs nothing but vscode and Node.js built-ins (vscode-languageclient is inside)', () => {
        const { required, exports } = loadWithFakeVscode(bundle, new FakeVscode());
        const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
        assert.deepEqual(required.filter((request) => !builtins.has(request)), []);
        assert.equal(typeof exports.activate, 'function');
        assert.equal(typeof exports.deactivate, 'function');
    });
});

describe('activate', () => {
    it('registers the commands package.json contributes, the debugger and its adapter factory', () => {
        const contributed = MANIFEST.contributes.commands.map((command: any) => command.command).sort();
        assert.deepEqual([...fake.commands.keys()].sort(), contributed);
        assert.deepEqual(
            fake.debugProviders.map((entry) => [entry.type, entry.trigger]),
            [
                [DEBUG_TYPE, 1],
                [DEBUG_TYPE, 2],
            ],
        );
        assert.ok(fake.adapterFactories.has(DEBUG_TYPE));
    });

    it('warns, naming the setting, when vitte-lsp cannot be found', async () => {
        await settle();
        const warning = fake.messages.find((message) => message.severity === 'warning');
        assert.ok(warning, JSON.stringify(fake.messages));
        assert.match(warning.text, /"vitte\.lsp\.path" is set to ".*no-such-vitte-lsp", but that is not an executable file/);
        assert.deepEqual(warning.buttons, ['Open Settings']);
    });
});

describe('the debug adapter factory', () => {
    /** The adapter the factory gives for a session, and every message it sends to VS Code. */
    function startAdapter(): { adapter: any; received: any[]; next: (test: (message: any) => boolean) => Promise<any> } {
        const descriptor = fake.adapterFactories.get(DEBUG_TYPE).createDebugAdapterDescriptor({ workspaceFolder: undefined });
        const adapter = descriptor.implementation;
        assert.ok(adapter, 'the factory gives an inline implementation');
        const received: any[] = [];
        const waiting: { test: (message: any) => boolean; resolve: (message: any) => void }[] = [];
        adapter.onDidSendMessage((message: any) => {
            received.push(message);
            for (const waiter of waiting.filter((entry) => entry.test(message))) {
                waiting.splice(waiting.indexOf(waiter), 1);
                waiter.resolve(message);
            }
        });
        const next = (test: (message: any) => boolean) =>
            new Promise<any>((resolve) => {
                const found = received.find(test);
                if (found !== undefined) {
                    resolve(found);
                } else {
                    waiting.push({ test, resolve });
                }
            });
        return { adapter, received, next };
    }

    const initialize = { seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'vitte' } };

    it('starts the vitte-dap of vitte.dap.path with --stdio and relays its messages', async () => {
        fake.settings['vitte.dap.path'] = binaryFromEnvironment('VITTE_DAP');
        const { adapter, next } = startAdapter();
        adapter.handleMessage(initialize);
        const response = await next((message) => message.type === 'response');
        assert.equal(response.command, 'initialize');
        assert.equal(response.success, true);
        assert.equal(response.body.supportsConfigurationDoneRequest, true);
        adapter.handleMessage({ seq: 2, type: 'request', command: 'disconnect', arguments: {} });
        await next((message) => message.type === 'response' && message.command === 'disconnect');
        adapter.dispose();
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.deepEqual(fake.messages.filter((message) => message.severity === 'error'), []);
    });

    it('reports an adapter that exits at once: its path, exit code and stderr, with a settings button', async () => {
        const broken = path.join(scratch, 'exits-at-once');
        fs.writeFileSync(broken, '#!/bin/sh\necho "error: unexpected argument \'--stdio\'" >&2\nexit 3\n', { mode: 0o755 });
        fake.settings['vitte.dap.path'] = broken;
        fake.answer = 'Open Settings';
        const { adapter, next } = startAdapter();
        adapter.handleMessage(initialize);
        const response = await next((message) => message.type === 'response');
        assert.equal(response.success, false);
        assert.equal(response.request_seq, 1);
        await next((message) => message.type === 'event' && message.event === 'terminated');
        const error = fake.messages.find((message) => message.severity === 'error');
        assert.ok(error, JSON.stringify(fake.messages));
        assert.ok(error.text.includes(broken), error.text);
        assert.match(error.text, /exited with code 3 before the debug session ended/);
        assert.match(error.text, /unexpected argument '--stdio'/);
        assert.deepEqual(error.buttons, ['Open Settings']);
        assert.match(fake.output.get('Vitte Debugger') ?? '', /unexpected argument '--stdio'/);
        await settle();
        assert.deepEqual(fake.executedCommands.at(-1), {
            command: 'workbench.action.openSettings',
            args: [{ query: 'vitte.dap.path' }],
        });
        adapter.dispose();
    });

    it('in a remote window, opens the remote settings, where vitte.dap.path takes effect', async () => {
        fake.remoteName = 'ssh-remote';
        fake.settings['vitte.dap.path'] = path.join(scratch, 'no-such-vitte-dap');
        fake.answer = 'Open Settings';
        const configuration = { type: DEBUG_TYPE, request: 'launch', name: 'x', program };
        await provider(1).resolveDebugConfigurationWithSubstitutedVariables(undefined, configuration);
        assert.equal(fake.executedCommands.at(-1)?.command, 'workbench.action.openRemoteSettings');
    });

    it('explains a vitte-dap that is neither set nor on PATH', () => {
        process.env.PATH = emptyFolder;
        try {
            assert.throws(
                () => fake.adapterFactories.get(DEBUG_TYPE).createDebugAdapterDescriptor({ workspaceFolder: undefined }),
                /vitte-dap was not found on PATH; it is needed for debugging\. .*"vitte\.dap\.path"/,
            );
        } finally {
            process.env.PATH = savedPath;
        }
    });
});

describe('F5', () => {
    it('without launch.json debugs the active .vit file, in the workspace folder', async () => {
        fake.activeFile = { path: program, languageId: 'vitte' };
        fake.settings['vitte.dap.path'] = anExecutable;
        const completer = provider(1);
        const resolved = completer.resolveDebugConfiguration(undefined, {});
        assert.equal(resolved.program, program);
        const folder = fake.workspaceFolders[0];
        const substituted = await completer.resolveDebugConfigurationWithSubstitutedVariables(folder, resolved);
        assert.equal(substituted.cwd, path.dirname(program));
        assert.equal(substituted.type, DEBUG_TYPE);
    });

    it('on another file says what to do and starts nothing', () => {
        fake.activeFile = { path: path.join(scratch, 'notes.md'), languageId: 'markdown' };
        assert.equal(provider(1).resolveDebugConfiguration(undefined, {}), undefined);
        assert.match(fake.messages.at(-1)?.text ?? '', /Open a \.vit file to debug it/);
    });

    it('stops with a message and a settings button when vitte-dap is missing', async () => {
        process.env.PATH = emptyFolder;
        try {
            const configuration = { type: DEBUG_TYPE, request: 'launch', name: 'x', program };
            const result = await provider(1).resolveDebugConfigurationWithSubstitutedVariables(undefined, configuration);
            assert.equal(result, undefined);
            const error = fake.messages.find((message) => message.severity === 'error');
            assert.match(error?.text ?? '', /vitte-dap was not found on PATH/);
            assert.deepEqual(error?.buttons, ['Open Settings']);
        } finally {
            process.env.PATH = savedPath;
        }
    });

    it('lists the active .vit file among the dynamic configurations', () => {
        fake.activeFile = { path: program, languageId: 'vitte' };
        assert.deepEqual(
            provider(2)
                .provideDebugConfigurations(undefined)
                .map((configuration: any) => configuration.program),
            [program],
        );
    });
});

describe('the Run and Debug commands', () => {
    it('run `vitte run FILE` in a terminal for the URI a code lens gives', async () => {
        fake.settings['vitte.path'] = anExecutable;
        await fake.commands.get(RUN_FILE)?.(pathToFileURL(program).href);
        assert.equal(fake.terminals.length, 1);
        const [terminal] = fake.terminals;
        assert.equal(terminal.options.shellPath, anExecutable);
        assert.deepEqual(terminal.options.shellArgs, ['run', program]);
        assert.equal(terminal.options.cwd, path.dirname(program));
        assert.ok(terminal.shown);
    });

    it('debug the file of the active editor from the command palette', async () => {
        fake.activeFile = { path: program, languageId: 'vitte' };
        await fake.commands.get(DEBUG_FILE)?.();
        assert.equal(fake.startedDebugging.length, 1);
        const [{ configuration, folder }] = fake.startedDebugging;
        assert.equal(folder, fake.workspaceFolders[0]);
        assert.deepEqual(
            [configuration.type, configuration.request, configuration.program],
            [DEBUG_TYPE, 'launch', program],
        );
    });

    it('ask for a .vit file when there is none', async () => {
        await fake.commands.get(RUN_FILE)?.();
        assert.equal(fake.terminals.length, 0);
        assert.match(fake.messages.at(-1)?.text ?? '', /Open a \.vit file to run it/);
    });

    it('explain a missing vitte', async () => {
        process.env.PATH = emptyFolder;
        try {
            await fake.commands.get(RUN_FILE)?.(pathToFileURL(program).href);
            assert.equal(fake.terminals.length, 0);
            const error = fake.messages.find((message) => message.severity === 'error');
            assert.match(error?.text ?? '', /vitte was not found on PATH; it is needed for Vitte: Run File/);
        } finally {
            process.env.PATH = savedPath;
        }
    });
});
