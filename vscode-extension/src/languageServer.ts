// The language client of `vitte-lsp` (from `vitte.lsp.path`, else PATH), restarted when that setting
// changes or on "Vitte: Restart Language Server".

import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';

import { findProgram, VITTE_LSP } from './executables';
import { LANGUAGE_ID } from './ids';
import { lookupFor, showSettingProblem } from './settings';

/** The client's id: its trace setting is `vitte.trace.server`. */
const CLIENT_ID = 'vitte';

/** The running language client, if any. */
export class LanguageServer {
    private client: LanguageClient | undefined;

    /** Starts `vitte-lsp`; when it cannot be found, says so (syntax colours and debugging still work). */
    async start(): Promise<void> {
        const server = findProgram(VITTE_LSP, lookupFor(VITTE_LSP));
        if ('problem' in server) {
            await showSettingProblem(server.problem, VITTE_LSP.setting, 'warning');
            return;
        }
        const serverOptions: ServerOptions = { command: server.path, args: ['--stdio'] };
        const clientOptions: LanguageClientOptions = {
            documentSelector: [
                { scheme: 'file', language: LANGUAGE_ID },
                { scheme: 'untitled', language: LANGUAGE_ID },
            ],
        };
        const client = new LanguageClient(CLIENT_ID, 'Vitte Language Server', serverOptions, clientOptions);
        this.client = client;
        try {
            await client.start();
        } catch (error) {
            void vscode.window.showErrorMessage(`${server.path} could not be started: ${String(error)}`);
        }
    }

    /** Stops the client and its server, if they run. */
    async stop(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        if (client !== undefined && client.isRunning()) {
            await client.stop();
        }
    }

    async restart(): Promise<void> {
        await this.stop();
        await this.start();
    }
}
