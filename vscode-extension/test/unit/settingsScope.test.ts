// Which settings editor "Open Settings" opens for a `machine-overridable` setting of the extension.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { settingsCommand } from '../../src/settingsScope';

describe('the settings a path takes effect in', () => {
    it('are the folder or workspace settings when it is set there, in any window', () => {
        for (const remote of [false, true]) {
            assert.equal(settingsCommand({ folder: true, workspace: true }, remote), 'workbench.action.openFolderSettings');
            assert.equal(settingsCommand({ folder: false, workspace: true }, remote), 'workbench.action.openWorkspaceSettings');
        }
    });

    it('are the remote machine settings in a remote or code-server window, else the user settings', () => {
        assert.equal(settingsCommand({ folder: false, workspace: false }, true), 'workbench.action.openRemoteSettings');
        assert.equal(settingsCommand({ folder: false, workspace: false }, false), 'workbench.action.openSettings');
    });
});
