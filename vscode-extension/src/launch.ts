// Debug configurations of the `vitte` type: the one that debugs a file, and how an incomplete one (F5
// without a launch.json, a configuration without `program` or `cwd`) is completed. Plain Node.js, no
// VS Code API, so that the unit tests run it as is.

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { DEBUG_TYPE, LANGUAGE_ID } from './ids';


/** A debug configuration as VS Code hands it over: any JSON object. */
export interface LaunchConfiguration {
    type?: string;
    request?: string;
    name?: string;
    program?: string;
    cwd?: string;
    [attribute: string]: unknown;
}

/** The document in the active editor, when there is one. */
export interface ActiveDocument {
    readonly path: string;
    readonly languageId: string;
}

/** A completed configuration, or the message that tells the user what is missing. */
export type Completed = { readonly configuration: LaunchConfiguration } | { readonly problem: string };

/** The configuration that debugs `file`; its `cwd` is filled in by {@link withDefaultCwd}. */
export function configurationForFile(file: string): LaunchConfiguration {
    return {
        type: DEBUG_TYPE,
        request: 'launch',
        name: `Debug ${path.basename(file)}`,
        program: file,
        stopOnEntry: false,
    };
}

/**
 * Completes `configuration` before its variables are substituted: an empty one (F5 with no launch.json)
 * debugs the active `.vit` file; a missing `program` is the active `.vit` file. `attach` is refused: the
 * adapter only launches programs.
 */
export function completeConfiguration(
    configuration: LaunchConfiguration,
    active: ActiveDocument | undefined,
): Completed {
    const activeVitteFile = active !== undefined && active.languageId === LANGUAGE_ID ? active.path : undefined;
    const isEmpty = configuration.type === undefined && configuration.request === undefined && configuration.name === undefined;
    if (isEmpty) {
        if (activeVitteFile === undefined) {
            return {
                problem:
                    'Open a .vit file to debug it, or add a "vitte" configuration to launch.json ' +
                    '(Run > Add Configuration…).',
            };
        }
        // Other attributes (`noDebug` for Run Without Debugging) are kept.
        return { configuration: { ...configurationForFile(activeVitteFile), ...configuration } };
    }
    const request = configuration.request ?? 'launch';
    if (request !== 'launch') {
        return {
            problem:
                `The configuration "${configuration.name ?? DEBUG_TYPE}" has "request": "${request}"; ` +
                'vitte-dap only launches programs ("request": "launch").',
        };
    }
    const completed: LaunchConfiguration = { ...configuration, type: DEBUG_TYPE, request };
    if (typeof completed.program !== 'string' || completed.program.trim() === '') {
        if (activeVitteFile === undefined) {
            return {
                problem:
                    `The configuration "${configuration.name ?? DEBUG_TYPE}" has no "program": set it to the .vit ` +
                    'or .vitbc file to debug, for example "${file}".',
            };
        }
        completed.program = activeVitteFile;
    }
    completed.name ??= `Debug ${path.basename(completed.program)}`;
    return { configuration: completed };
}

/**
 * After variable substitution: without `cwd`, the program runs in the workspace folder, or else in the
 * program's own folder (when its path is absolute), so that relative paths mean the same as in a terminal.
 */
export function withDefaultCwd(configuration: LaunchConfiguration, folder: string | undefined): LaunchConfiguration {
    if (typeof configuration.cwd === 'string' && configuration.cwd.trim() !== '') {
        return configuration;
    }
    const program = configuration.program;
    const cwd = folder ?? (typeof program === 'string' && path.isAbsolute(program) ? path.dirname(program) : undefined);
    return cwd === undefined ? configuration : { ...configuration, cwd };
}

/**
 * The file a command was invoked for: the argument of a code lens (the document URI as a string), an
 * explorer or editor menu (an object with `fsPath`), or nothing (the command palette: the active file).
 */
export function fileOfCommandArgument(argument: unknown, activeFile: string | undefined): string | undefined {
    if (typeof argument === 'string' && argument !== '') {
        return argument.startsWith('file:') ? fileURLToPath(argument) : argument;
    }
    if (typeof argument === 'object' && argument !== null && 'fsPath' in argument) {
        const fsPath = (argument as { fsPath: unknown }).fsPath;
        if (typeof fsPath === 'string' && fsPath !== '') {
            return fsPath;
        }
    }
    return activeFile;
}
