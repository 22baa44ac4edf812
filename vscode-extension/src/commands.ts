// "Vitte: Run File" (`vitte run FILE` in a terminal) and "Vitte: Debug File", also the commands of the
// "▶ Run | Debug" code lenses vitte-lsp shows above `main` (their argument is the document's URI).

import * as path from 'node:path';
import * as vscode from 'vscode';

import { findProgram, VITTE } from './executables';
import { DEBUG_FILE, RESTART_LANGUAGE_SERVER, RUN_FILE } from './ids';
import { configurationForFile, fileOfCommandArgument } from './launch';
import { LanguageServer } from './languageServer';
import { activeDocument, lookupFor, showSettingProblem } from './settings';

/** Registers every command of the extension. */
export function registerCommands(context: vscode.ExtensionContext, languageServer: LanguageServer): void {
    const terminals = new RunTerminals();
    context.subscriptions.push(
        terminals,
        vscode.commands.registerCommand(RUN_FILE, (argument?: unknown) => runFile(argument, terminals)),
        vscode.commands.registerCommand(DEBUG_FILE, (argument?: unknown) => debugFile(argument)),
        vscode.commands.registerCommand(RESTART_LANGUAGE_SERVER, () => languageServer.restart()),
    );
}

/** The file a command is for, or `undefined` after telling the user to open one. */
function commandFile(argument: unknown, verb: string): string | undefined {
    const file = fileOfCommandArgument(argument, activeDocument()?.path);
    if (file === undefined) {
        void vscode.window.showErrorMessage(`Open a .vit file to ${verb} it.`);
    }
    return file;
}

async function runFile(argument: unknown, terminals: RunTerminals): Promise<void> {
    const file = commandFile(argument, 'run');
    if (file === undefined) {
        return;
    }
    const uri = vscode.Uri.file(file);
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const vitte = findProgram(VITTE, lookupFor(VITTE, folder));
    if ('problem' in vitte) {
        await showSettingProblem(vitte.problem, VITTE.setting);
        return;
    }
    const document = vscode.workspace.textDocuments.find((open) => open.uri.fsPath === uri.fsPath);
    if (document?.isDirty) {
        await document.save();
    }
    terminals.run(file, vitte.path, folder?.uri.fsPath ?? path.dirname(file));
}

async function debugFile(argument: unknown): Promise<void> {
    const file = commandFile(argument, 'debug');
    if (file === undefined) {
        return;
    }
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
    await vscode.debug.startDebugging(folder, configurationForFile(file) as vscode.DebugConfiguration);
}

/** One terminal per file run; running a file again replaces its terminal. */
class RunTerminals implements vscode.Disposable {
    private readonly byFile = new Map<string, vscode.Terminal>();
    private readonly closed = vscode.window.onDidCloseTerminal((terminal) => {
        for (const [file, open] of this.byFile) {
            if (open === terminal) {
                this.byFile.delete(file);
            }
        }
    });

    /** Runs `vitte run FILE` (the program itself, no shell, so no quoting) in a terminal in `cwd`. */
    run(file: string, vitte: string, cwd: string): void {
        this.byFile.get(file)?.dispose();
        const terminal = vscode.window.createTerminal({
            name: `Vitte: ${path.basename(file)}`,
            shellPath: vitte,
            shellArgs: ['run', file],
            cwd,
        });
        this.byFile.set(file, terminal);
        terminal.show();
    }

    dispose(): void {
        this.closed.dispose();
    }
}
