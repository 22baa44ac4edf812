// Finding the project's programs (vitte, vitte-dap, vitte-lsp): from a setting when it is set, else on
// PATH. Plain Node.js, no VS Code API, so that the unit tests run it as is.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** One program the extension starts, and the setting that can point at it. */
export interface Program {
    /** Its name on PATH, without extension: `vitte-dap`. */
    readonly name: string;
    /** The setting holding its path: `vitte.dap.path`. */
    readonly setting: string;
    /** What it is for, completing "… is needed for": `debugging`. */
    readonly neededFor: string;
}

export const VITTE: Program = { name: 'vitte', setting: 'vitte.path', neededFor: 'Vitte: Run File' };
export const VITTE_DAP: Program = { name: 'vitte-dap', setting: 'vitte.dap.path', neededFor: 'debugging' };
export const VITTE_LSP: Program = {
    name: 'vitte-lsp',
    setting: 'vitte.lsp.path',
    neededFor: 'diagnostics, hover, navigation and completion',
};

/** Where to look for a program. */
export interface Lookup {
    /** The setting's value; empty or missing means "look on PATH". */
    readonly configured?: string;
    /** Folders a relative configured path is tried against, in order (the workspace folders). */
    readonly baseFolders: readonly string[];
    /** The environment (PATH, PATHEXT, HOME). */
    readonly env: NodeJS.ProcessEnv;
    /** The platform, for executable extensions and the PATH separator. */
    readonly platform: NodeJS.Platform;
}

/** The program's absolute path, or why it cannot be used. */
export type Found = { readonly path: string } | { readonly problem: string };

/** Finds `program` as `lookup` says: the configured path if any (never PATH then), else PATH. */
export function findProgram(program: Program, lookup: Lookup): Found {
    const configured = lookup.configured?.trim() ?? '';
    if (configured !== '') {
        return findConfigured(program, configured, lookup);
    }
    const found = searchPath(program.name, lookup);
    if (found !== undefined) {
        return { path: found };
    }
    return {
        problem:
            `${program.name} was not found on PATH; it is needed for ${program.neededFor}. ` +
            `Install it (see the Vitte VM README) and make sure the folder holding it is on PATH, ` +
            `or set "${program.setting}" to its full path.`,
    };
}

function findConfigured(program: Program, configured: string, lookup: Lookup): Found {
    const expanded = expandHome(configured, lookup.env);
    const candidates = path.isAbsolute(expanded)
        ? [expanded]
        : lookup.baseFolders.map((folder) => path.resolve(folder, expanded));
    for (const candidate of candidates) {
        const found = withExecutableExtension(candidate, lookup);
        if (found !== undefined) {
            return { path: found };
        }
    }
    const tried = candidates.length === 0 ? 'no workspace folder is open to resolve it against' : `tried ${candidates.join(', ')}`;
    return {
        problem:
            `"${program.setting}" is set to "${configured}", but that is not an executable file (${tried}). ` +
            `Point it at the ${program.name} program, or clear it to use ${program.name} from PATH.`,
    };
}

/** `~` or `~/…` at the start of `file` is the home folder. */
function expandHome(file: string, env: NodeJS.ProcessEnv): string {
    if (file !== '~' && !file.startsWith('~/') && !file.startsWith('~\\')) {
        return file;
    }
    const home = env.HOME ?? env.USERPROFILE ?? os.homedir();
    return path.join(home, file.slice(1));
}

/** `name` in the folders of PATH, the first that holds an executable file. */
function searchPath(name: string, lookup: Lookup): string | undefined {
    const separator = lookup.platform === 'win32' ? ';' : ':';
    const folders = (environmentValue(lookup.env, 'PATH', lookup.platform) ?? '')
        .split(separator)
        .filter((folder) => folder !== '');
    for (const folder of folders) {
        const found = withExecutableExtension(path.join(folder, name), lookup);
        if (found !== undefined) {
            return found;
        }
    }
    return undefined;
}

/** `file` itself, or on Windows `file` with one of the PATHEXT extensions, when that is an executable file. */
function withExecutableExtension(file: string, lookup: Lookup): string | undefined {
    if (lookup.platform !== 'win32') {
        return isExecutableFile(file, fs.constants.X_OK) ? file : undefined;
    }
    const extensions = (environmentValue(lookup.env, 'PATHEXT', lookup.platform) ?? '.EXE;.CMD;.BAT;.COM')
        .split(';')
        .filter((extension) => extension !== '');
    const names = path.extname(file) === '' ? extensions.map((extension) => file + extension) : [file];
    return names.find((name) => isExecutableFile(name, fs.constants.F_OK));
}

function isExecutableFile(file: string, mode: number): boolean {
    try {
        if (!fs.statSync(file).isFile()) {
            return false;
        }
        fs.accessSync(file, mode);
        return true;
    } catch {
        return false;
    }
}

/** An environment variable; on Windows its name is case-insensitive (`Path`). */
function environmentValue(env: NodeJS.ProcessEnv, name: string, platform: NodeJS.Platform): string | undefined {
    if (platform !== 'win32') {
        return env[name];
    }
    const key = Object.keys(env).find((candidate) => candidate.toUpperCase() === name);
    return key === undefined ? undefined : env[key];
}
