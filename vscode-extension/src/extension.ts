// The Vitte extension: the `vitte` language (grammar, configuration and snippets are in package.json),
// the `vitte` debugger (vitte-dap), the language client (vitte-lsp) and the Run/Debug commands.

import * as vscode from 'vscode';

import { registerCommands } from './commands';
import { registerDebugger } from './debugAdapter';
import { LanguageServer } from './languageServer';

let languageServer: LanguageServer | undefined;

export function activate(context: vscode.ExtensionContext): void {
    const server = new LanguageServer();
    languageServer = server;
    registerDebugger(context);
    registerCommands(context, server);
    context.subscriptions.push(
        vscode.workspace.onDidChangeConfiguration((change) => {
            if (change.affectsConfiguration('vitte.lsp.path')) {
                void server.restart();
            }
        }),
    );
    void server.start();
}

export async function deactivate(): Promise<void> {
    await languageServer?.stop();
    languageServer = undefined;
}
