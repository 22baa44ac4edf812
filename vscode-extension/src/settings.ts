// Reading the extension's settings and telling the user what to fix in them.

import * as vscode from 'vscode';

import { Lookup, Program } from './executables';

/** Where to look for `program`: its setting (for `folder`, or the window), the workspace folders, PATH. */
export function lookupFor(program: Program, folder?: vscode.WorkspaceFolder): Lookup {
    const configured = vscode.workspace.getConfiguration(undefined, folder?.uri).get<string>(program.setting);
    const folders = folder !== undefined ? [folder] : (vscode.workspace.workspaceFolders ?? []);
    return {
        configured,
        baseFolders: folders.map((workspaceFolder) => workspaceFolder.uri.fsPath),
        env: process.env,
        platform: process.platform,
    };
}

/** Shows `problem` with a button that opens `setting`; `severity` chooses an error or a warning. */
export async function showSettingProblem(
    problem: string,
    setting: string,
    severity: 'error' | 'warning' = 'error',
): Promise<void> {
    const openSettings = 'Open Settings';
    const choice =
        severity === 'error'
            ? await vscode.window.showErrorMessage(problem, openSettings)
            : await vscode.window.showWarningMessage(problem, openSettings);
    if (choice === openSettings) {
        await vscode.commands.executeCommand('workbench.action.openSettings', setting);
    }
}

/** The path and language of the document in the active editor, when it is a file. */
export function activeDocument(): { path: string; languageId: string } | undefined {
    const document = vscode.window.activeTextEditor?.document;
    if (document === undefined || document.uri.scheme !== 'file') {
        return undefined;
    }
    return { path: document.uri.fsPath, languageId: document.languageId };
}
