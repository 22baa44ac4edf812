// Reading the extension's settings and telling the user what to fix in them.

import * as vscode from 'vscode';

import { Lookup, Program } from './executables';
import { settingsCommand } from './settingsScope';

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

/**
 * Shows `problem` with a button that opens `setting` where it takes effect (see {@link settingsCommand});
 * `severity` chooses an error or a warning.
 */
export async function showSettingProblem(
    problem: string,
    setting: string,
    severity: 'error' | 'warning' = 'error',
    folder?: vscode.WorkspaceFolder,
): Promise<void> {
    const openSettings = 'Open Settings';
    const choice =
        severity === 'error'
            ? await vscode.window.showErrorMessage(problem, openSettings)
            : await vscode.window.showWarningMessage(problem, openSettings);
    if (choice === openSettings) {
        const values = vscode.workspace.getConfiguration(undefined, folder?.uri).inspect(setting);
        const remote = vscode.env.remoteName !== undefined || vscode.env.uiKind === vscode.UIKind.Web;
        const command = settingsCommand(
            {
                // In a single-folder window the folder's settings are the workspace's.
                folder: values?.workspaceFolderValue !== undefined && vscode.workspace.workspaceFile !== undefined,
                workspace: values?.workspaceValue !== undefined,
            },
            remote,
        );
        await vscode.commands.executeCommand(command, { query: setting });
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
