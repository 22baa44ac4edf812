// A stand-in for the `vscode` module, enough to load the bundled extension in plain Node.js, call its
// `activate`, and see what it registered, showed and started.

import Module = require('node:module');
import * as path from 'node:path';

/** A URI of a file, as the extension uses them. */
export class FakeUri {
    readonly scheme = 'file';
    constructor(readonly fsPath: string) {}
    static file(fsPath: string): FakeUri {
        return new FakeUri(fsPath);
    }
    toString(): string {
        return `file://${this.fsPath}`;
    }
}

/** A message the extension showed. */
export interface ShownMessage {
    severity: 'error' | 'warning' | 'information';
    text: string;
    buttons: string[];
}

const disposable = { dispose(): void {} };

/** The state the fake API records, and the settings and editors it reports. */
export class FakeVscode {
    settings: Record<string, unknown> = {};
    activeFile: { path: string; languageId: string } | undefined;
    workspaceFolders: { uri: FakeUri; name: string; index: number }[] = [];
    readonly messages: ShownMessage[] = [];
    readonly commands = new Map<string, (...args: unknown[]) => unknown>();
    readonly debugProviders: { type: string; provider: any; trigger: number }[] = [];
    readonly adapterFactories = new Map<string, any>();
    readonly terminals: { options: any; shown: boolean }[] = [];
    readonly startedDebugging: { folder: unknown; configuration: any }[] = [];
    readonly output = new Map<string, string>();
    readonly executedCommands: { command: string; args: unknown[] }[] = [];
    /** The button the next message is answered with (none: the message is dismissed). */
    answer: string | undefined;
    remoteName: string | undefined;

    /** The object `require('vscode')` gives the extension. */
    api(): unknown {
        const fake = this;
        const message = (severity: ShownMessage['severity']) => (text: string, ...buttons: string[]) => {
            fake.messages.push({ severity, text, buttons });
            const answer = fake.answer;
            fake.answer = undefined;
            return Promise.resolve(answer);
        };
        const known = {
            Uri: FakeUri,
            Disposable: class {
                static from(): typeof disposable {
                    return disposable;
                }
                dispose(): void {}
            },
            EventEmitter: class<T> {
                private listeners: ((value: T) => void)[] = [];
                event = (listener: (value: T) => void) => {
                    this.listeners.push(listener);
                    return disposable;
                };
                fire(value: T): void {
                    this.listeners.forEach((listener) => listener(value));
                }
                dispose(): void {
                    this.listeners = [];
                }
            },
            DebugAdapterInlineImplementation: class {
                constructor(readonly implementation: any) {}
            },
            UIKind: { Desktop: 1, Web: 2 },
            env: {
                get remoteName() {
                    return fake.remoteName;
                },
                uiKind: 1,
            },
            DebugAdapterExecutable: class {
                constructor(
                    readonly command: string,
                    readonly args: string[],
                    readonly options?: unknown,
                ) {}
            },
            DebugConfigurationProviderTriggerKind: { Initial: 1, Dynamic: 2 },
            window: {
                get activeTextEditor() {
                    const active = fake.activeFile;
                    return active && { document: { uri: FakeUri.file(active.path), languageId: active.languageId } };
                },
                showErrorMessage: message('error'),
                showWarningMessage: message('warning'),
                showInformationMessage: message('information'),
                createTerminal(options: unknown) {
                    const terminal = { options, shown: false };
                    fake.terminals.push(terminal);
                    return {
                        show: () => {
                            terminal.shown = true;
                        },
                        dispose(): void {},
                    };
                },
                onDidCloseTerminal: () => disposable,
                createOutputChannel(name: string) {
                    fake.output.set(name, '');
                    const append = (text: string) => fake.output.set(name, fake.output.get(name) + text);
                    return { append, appendLine: (line: string) => append(`${line}\n`), dispose(): void {} };
                },
            },
            workspace: {
                getConfiguration: () => ({
                    get: (key: string) => fake.settings[key],
                    inspect: (key: string) => ({ key, globalValue: fake.settings[key] }),
                }),
                workspaceFile: undefined,
                get workspaceFolders() {
                    return fake.workspaceFolders.length === 0 ? undefined : fake.workspaceFolders;
                },
                getWorkspaceFolder: (uri: FakeUri) =>
                    fake.workspaceFolders.find((folder) => !path.relative(folder.uri.fsPath, uri.fsPath).startsWith('..')),
                onDidChangeConfiguration: () => disposable,
                textDocuments: [],
            },
            commands: {
                registerCommand(id: string, handler: (...args: unknown[]) => unknown) {
                    if (fake.commands.has(id)) {
                        throw new Error(`command ${id} registered twice`);
                    }
                    fake.commands.set(id, handler);
                    return disposable;
                },
                executeCommand(command: string, ...args: unknown[]) {
                    fake.executedCommands.push({ command, args });
                    return Promise.resolve(undefined);
                },
            },
            debug: {
                registerDebugConfigurationProvider(type: string, provider: unknown, trigger = 1) {
                    fake.debugProviders.push({ type, provider, trigger });
                    return disposable;
                },
                registerDebugAdapterDescriptorFactory(type: string, factory: unknown) {
                    fake.adapterFactories.set(type, factory);
                    return disposable;
                },
                startDebugging(folder: unknown, configuration: unknown) {
                    fake.startedDebugging.push({ folder, configuration });
                    return Promise.resolve(true);
                },
            },
        };
        // vscode-languageclient extends a few VS Code classes when it loads; any other name is a class.
        return new Proxy(known, {
            get: (target, name) => (name in target ? (target as any)[name] : class {}),
        });
    }
}

/**
 * Loads the CommonJS file `file` with `vscode` resolved to `fake`; gives its exports and every module the
 * file itself required while loading (other than `vscode`).
 */
export function loadWithFakeVscode(file: string, fake: FakeVscode): { exports: any; required: string[] } {
    const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
    const original = loader._load;
    const api = fake.api();
    const required: string[] = [];
    const resolved = require.resolve(file);
    loader._load = function (request: string, parent: unknown, isMain: boolean) {
        if (request === 'vscode') {
            return api;
        }
        if ((parent as { filename?: string } | undefined)?.filename === resolved) {
            required.push(request);
        }
        return original.call(this, request, parent, isMain);
    };
    try {
        delete require.cache[resolved];
        return { exports: require(resolved), required };
    } finally {
        loader._load = original;
    }
}
