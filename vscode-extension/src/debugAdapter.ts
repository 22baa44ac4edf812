// The `vitte` debugger: completing debug configurations (F5 with no launch.json debugs the active .vit
// file) and starting `vitte-dap --stdio` for each session, whose stderr goes to the "Vitte Debugger"
// output and whose early end is reported (program, exit code, stderr) instead of passing in silence.

import * as vscode from 'vscode';

import { AdapterEnding, AdapterProcess, describeEnding, isFailure, ProtocolMessage } from './adapterProcess';
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
        vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new VitteDapFactory(context)),
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
            await showSettingProblem(dap.problem, VITTE_DAP.setting, 'error', folder);
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
    private output: vscode.OutputChannel | undefined;

    constructor(private readonly context: vscode.ExtensionContext) {}

    createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
        const dap = findProgram(VITTE_DAP, lookupFor(VITTE_DAP, session.workspaceFolder));
        if ('problem' in dap) {
            throw new Error(dap.problem);
        }
        if (this.output === undefined) {
            this.output = vscode.window.createOutputChannel('Vitte Debugger');
            this.context.subscriptions.push(this.output);
        }
        return new vscode.DebugAdapterInlineImplementation(
            new VitteDap(dap.path, this.output, session.workspaceFolder),
        );
    }
}

/** One session's `vitte-dap --stdio`, as VS Code's debug adapter. */
class VitteDap implements vscode.DebugAdapter {
    private readonly sent = new vscode.EventEmitter<vscode.DebugProtocolMessage>();
    readonly onDidSendMessage = this.sent.event;
    private readonly adapter: AdapterProcess;

    constructor(
        program: string,
        private readonly output: vscode.OutputChannel,
        private readonly folder: vscode.WorkspaceFolder | undefined,
    ) {
        this.adapter = new AdapterProcess(program, ['--stdio'], {
            message: (message) => this.sent.fire(message as vscode.DebugProtocolMessage),
            stderr: (text) => this.output.append(text),
            ended: (ending) => this.ended(ending),
        });
    }

    handleMessage(message: vscode.DebugProtocolMessage): void {
        this.adapter.send(message as ProtocolMessage);
    }

    dispose(): void {
        this.adapter.kill();
        this.sent.dispose();
    }

    /** An adapter that failed is reported; the requests it left unanswered fail and the session ends. */
    private ended(ending: AdapterEnding): void {
        if (!isFailure(ending)) {
            return;
        }
        const report = describeEnding(ending);
        this.output.appendLine(report);
        void showSettingProblem(report, VITTE_DAP.setting, 'error', this.folder);
        let seq = 1_000_000_000;
        for (const request of ending.unanswered) {
            this.sent.fire({
                seq: seq++,
                type: 'response',
                request_seq: request.seq,
                command: request.command,
                success: false,
                message: report,
                // Already shown above, with its settings button: VS Code need not show it again.
                body: { error: { id: 1, format: report, showUser: false } },
            } as vscode.DebugProtocolMessage);
        }
        if (ending.early) {
            this.sent.fire({ seq: seq++, type: 'event', event: 'terminated' } as vscode.DebugProtocolMessage);
        }
    }
}
