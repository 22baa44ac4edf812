// Which settings editor to open for a setting of the extension: the `vitte.*.path` settings are
// `machine-overridable`, so where they take effect depends on the window. Plain TypeScript, so that the
// unit tests import it without VS Code.

/**
 * The command that opens the settings where a `machine-overridable` setting takes effect: the folder's or
 * the workspace's settings when it is set there; else, in a remote or web (code-server) window, the
 * remote machine's settings, since user settings of the browser's side do not count there; else the
 * user settings.
 */
export function settingsCommand(setIn: { folder: boolean; workspace: boolean }, remote: boolean): string {
    if (setIn.folder) {
        return 'workbench.action.openFolderSettings';
    }
    if (setIn.workspace) {
        return 'workbench.action.openWorkspaceSettings';
    }
    return remote ? 'workbench.action.openRemoteSettings' : 'workbench.action.openSettings';
}
