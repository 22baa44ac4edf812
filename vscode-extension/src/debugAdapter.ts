// The `vitte` debugger: completing debug configurations (F5 with no launch.json debugs the active .vit
// file) and starting `vitte-dap --stdio` for each session.

import * as vscode from 'vscode';

import { findProgram, VITTE_DAP } from './executables';
import { DEBUG_TYPE, LANGUAGE_ID } from './ids';
import { completeConfiguration, configurationForFile, withDefaultCwd } from './launch';
import { activeDocument, lookupFor, showSettingProblem } from './settings';

/** Registers the configuration providers and the adapter factory of the `vitte` debugger. */
export function registerDebugger(context: vscode.ExtensionContext): void {
    context.subscriptions.push(
        vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationCompleter()),
        vscode.debug.registerDebugConfigurationProvider(
            DEBUG_TYPE,
            new ActiveFileConfigurations(),
            vscode.DebugConfigurationProviderTriggerKind.Dynamic,
        ),
        vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new VitteDapFactory()),
    );
}

/** Completes configurations before a session starts, and checks that vitte-dap can be found. */
class ConfigurationCompleter implements vscode.DebugConfigurationProvider {
    resolveDebugConfiguration(
        _folder: vscode.WorkspaceFolder | undefined,
        configuration: vscode.DebugConfiguration,
    ): vscode.DebugConfiguration | null | undefined {
        const completed = completeConfiguration(configuration, activeDocument());
        if ('problem' in completed) {
            void vscode.window.showErrorMessage(completed.problem);
            // `null` opens launch.json when the configuration came from there; `undefined` just stops.
            return configuration.type === undefined ? undefined : null;
        }
        return completed.configuration as vscode.DebugConfiguration;
    }

    async resolveDebugConfigurationWithSubstitutedVariables(
        folder: vscode.WorkspaceFolder | undefined,
        configuration: vscode.DebugConfiguration,
    ): Promise<vscode.DebugConfiguration | undefined> {
        const dap = findProgram(VITTE_DAP, lookupFor(VITTE_DAP, folder));
        if ('problem' in dap) {
            await showSettingProblem(dap.problem, VITTE_DAP.setting);
            return undefined;
        }
        const workspaceFolder = folder ?? vscode.workspace.workspaceFolders?.[0];
        return withDefaultCwd(configuration, workspaceFolder?.uri.fsPath) as vscode.DebugConfiguration;
    }
}

/** The "Vitte" entries of the Run and Debug view's configuration list: one for the active .vit file. */
class ActiveFileConfigurations implements vscode.DebugConfigurationProvider {
    provideDebugConfigurations(): vscode.DebugConfiguration[] {
        const active = activeDocument();
        if (active === undefined || active.languageId !== LANGUAGE_ID) {
            return [];
        }
        return [configurationForFile(active.path) as vscode.DebugConfiguration];
    }
}

/** Starts `vitte-dap --stdio` (from `vitte.dap.path`, else PATH) for each debug session. */
class VitteDapFactory implements vscode.DebugAdapterDescriptorFactory {
    createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
        const dap = findProgram(VITTE_DAP, lookupFor(VITTE_DAP, session.workspaceFolder));
        if ('problem' in dap) {
            throw new Error(dap.problem);
        }
        return new vscode.DebugAdapterExecutable(dap.path, ['--stdio']);
    }
}
