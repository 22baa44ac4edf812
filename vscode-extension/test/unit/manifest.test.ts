// package.json and the files it names: the language, its grammar, configuration and snippets, the
// debugger (its attributes are exactly the launch arguments `vitte-dap --launch-arguments` describes),
// commands, menus and settings.

import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { VITTE, VITTE_DAP, VITTE_LSP } from '../../src/executables';
import { DEBUG_FILE, DEBUG_TYPE, LANGUAGE_ID, RESTART_LANGUAGE_SERVER, RUN_FILE } from '../../src/ids';
import { binaryFromEnvironment, EXTENSION_ROOT, MANIFEST, readJson } from '../support/paths';

const contributes = MANIFEST.contributes;
const debuggerContribution = contributes.debuggers.find((entry: any) => entry.type === DEBUG_TYPE);

/** One launch argument as `vitte-dap --launch-arguments` prints it. */
interface LaunchArgument {
    name: string;
    required: boolean;
    description: string;
    type: string | string[];
    items?: unknown;
    additionalProperties?: unknown;
    default?: unknown;
}

/** The `configurationAttributes.launch` that describes `launchArguments`. */
function launchAttributes(launchArguments: LaunchArgument[]): unknown {
    const properties: Record<string, unknown> = {};
    for (const { name, required: _required, ...schema } of launchArguments) {
        properties[name] = schema;
    }
    const required = launchArguments.filter((argument) => argument.required).map((argument) => argument.name);
    return { required, properties };
}

describe('the vitte language', () => {
    it('is contributed for .vit files, with the aliases Vitte and vit', () => {
        const language = contributes.languages.find((entry: any) => entry.id === LANGUAGE_ID);
        assert.deepEqual(language.extensions, ['.vit']);
        assert.deepEqual(language.aliases, ['Vitte', 'vit']);
        assert.ok(fs.existsSync(path.join(EXTENSION_ROOT, language.configuration)), language.configuration);
    });

    it('has a file icon, an SVG for light and dark themes', () => {
        const language = contributes.languages.find((entry: any) => entry.id === LANGUAGE_ID);
        for (const theme of ['light', 'dark']) {
            const icon = language.icon?.[theme];
            assert.match(icon ?? '', /\.svg$/, `icon.${theme}`);
            const svg = fs.readFileSync(path.join(EXTENSION_ROOT, icon), 'utf8');
            assert.match(svg, /^<svg [^>]*viewBox="0 0 16 16"/);
        }
    });

    it('has a grammar of scope source.vitte whose includes all resolve', () => {
        const [contribution] = contributes.grammars;
        assert.equal(contribution.language, LANGUAGE_ID);
        const grammar = readJson(contribution.path);
        assert.equal(grammar.scopeName, contribution.scopeName);
        assert.equal(grammar.scopeName, 'source.vitte');
        const includes = JSON.stringify(grammar).match(/"include":"#[^"]+"/g) ?? [];
        assert.ok(includes.length > 5);
        for (const include of includes) {
            const name = include.slice('"include":"#'.length, -1);
            assert.ok(name in grammar.repository, `${include} names no repository entry`);
        }
    });

    it('has a language configuration with comments, brackets and working indentation rules', () => {
        const configuration = readJson('language-configuration.json');
        assert.deepEqual(configuration.comments, { lineComment: '//', blockComment: ['/*', '*/'] });
        const increase = new RegExp(configuration.indentationRules.increaseIndentPattern);
        const decrease = new RegExp(configuration.indentationRules.decreaseIndentPattern);
        for (const opens of ['proc main() -> int {', '    match s {', 'let xs = [', 'print(']) {
            assert.ok(increase.test(opens), `no indent after ${opens}`);
        }
        for (const closed of ['let m = {};', 'print(x);', '// a comment {', '}']) {
            assert.ok(!increase.test(closed), `indent after ${closed}`);
        }
        assert.ok(decrease.test('    }') && decrease.test(']') && !decrease.test('x }'));
        const docComment = configuration.onEnterRules.find((rule: any) => rule.action.appendText === '/// ');
        assert.ok(new RegExp(docComment.beforeText).test('    /// Documentation'));
        assert.ok(new RegExp(configuration.wordPattern).test('to_fixed'));
        for (const pair of configuration.autoClosingPairs) {
            assert.ok(typeof pair.open === 'string' && typeof pair.close === 'string');
        }
    });

    it('has snippets with unique prefixes, a body and a description each', () => {
        assert.equal(contributes.snippets[0].language, LANGUAGE_ID);
        const snippets = readJson(contributes.snippets[0].path);
        const prefixes = new Set<string>();
        for (const [name, snippet] of Object.entries<any>(snippets)) {
            assert.equal(typeof snippet.prefix, 'string', name);
            assert.ok(!prefixes.has(snippet.prefix), `prefix ${snippet.prefix} used twice`);
            prefixes.add(snippet.prefix);
            assert.ok(Array.isArray(snippet.body) && snippet.body.every((line: unknown) => typeof line === 'string'), name);
            assert.ok(typeof snippet.description === 'string' && snippet.description.length > 0, name);
        }
        for (const expected of ['main', 'proc', 'form', 'pick', 'match', 'for', 'while', 'try']) {
            assert.ok(prefixes.has(expected), `no ${expected} snippet`);
        }
    });

    it('allows breakpoints', () => {
        assert.deepEqual(contributes.breakpoints, [{ language: LANGUAGE_ID }]);
    });
});

describe('the vitte debugger', () => {
    it('is contributed for the vitte language', () => {
        assert.ok(debuggerContribution, 'no debugger of type vitte');
        assert.deepEqual(debuggerContribution.languages, [LANGUAGE_ID]);
        assert.ok(MANIFEST.activationEvents.includes(`onDebugResolve:${DEBUG_TYPE}`));
        assert.ok(MANIFEST.activationEvents.includes(`onDebugDynamicConfigurations:${DEBUG_TYPE}`));
    });

    it('has exactly the launch attributes vitte-dap accepts (vitte-dap --launch-arguments)', () => {
        const dap = binaryFromEnvironment('VITTE_DAP');
        const printed = execFileSync(dap, ['--launch-arguments'], { encoding: 'utf8' });
        const launchArguments: LaunchArgument[] = JSON.parse(printed);
        assert.ok(launchArguments.some((argument) => argument.name === 'program' && argument.required));
        const expected = launchAttributes(launchArguments);
        assert.deepEqual(
            debuggerContribution.configurationAttributes.launch,
            expected,
            'package.json\'s contributes.debuggers[0].configurationAttributes.launch must be:\n' +
                JSON.stringify(expected, null, 2),
        );
        assert.deepEqual(Object.keys(debuggerContribution.configurationAttributes), ['launch']);
    });

    it('offers initial configurations and snippets that use only those attributes', () => {
        const attributes = new Set(Object.keys(debuggerContribution.configurationAttributes.launch.properties));
        const bodies = [
            ...debuggerContribution.initialConfigurations,
            ...debuggerContribution.configurationSnippets.map((snippet: any) => snippet.body),
        ];
        assert.ok(bodies.length >= 3);
        for (const body of bodies) {
            assert.equal(body.type, DEBUG_TYPE);
            assert.equal(body.request, 'launch');
            assert.equal(typeof body.name, 'string');
            assert.ok('program' in body, JSON.stringify(body));
            for (const key of Object.keys(body)) {
                assert.ok(['type', 'request', 'name'].includes(key) || attributes.has(key), `unknown attribute ${key}`);
            }
        }
    });
});

describe('commands and settings', () => {
    it('contributes the Run, Debug and Restart commands, and menus only name those', () => {
        const commands = contributes.commands.map((command: any) => command.command);
        assert.deepEqual(commands.sort(), [DEBUG_FILE, RESTART_LANGUAGE_SERVER, RUN_FILE].sort());
        for (const [menu, entries] of Object.entries<any[]>(contributes.menus)) {
            for (const entry of entries) {
                assert.ok(commands.includes(entry.command), `${menu} names ${entry.command}`);
            }
        }
    });

    it('has a path setting for each program, empty by default', () => {
        const properties = contributes.configuration.properties;
        for (const program of [VITTE, VITTE_DAP, VITTE_LSP]) {
            assert.equal(properties[program.setting]?.type, 'string', program.setting);
            assert.equal(properties[program.setting].default, '');
        }
        assert.deepEqual(properties['vitte.trace.server'].enum, ['off', 'messages', 'verbose']);
    });

    it('is packaged from the bundle, for a VS Code that its types match', () => {
        assert.equal(MANIFEST.main, './dist/extension.js');
        const typesVersion = MANIFEST.devDependencies['@types/vscode'];
        assert.equal(MANIFEST.engines.vscode, `^${typesVersion}`);
        assert.equal(MANIFEST.license, 'MIT OR Apache-2.0');
        assert.ok(fs.existsSync(path.join(EXTENSION_ROOT, 'LICENSE')));
    });
});
