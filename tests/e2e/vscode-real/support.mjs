// What the scenarios share: code-server started on 127.0.0.1 with its own folders, headless Chromium
// driven by playwright-core, and the gestures a user makes in VS Code (open a file, go to a line,
// toggle a breakpoint, press F5) with the checks of what they then see. Every process started here is
// stopped by process id (code-server's whole process group), also when the run fails.
//
// `cargo xtask e2e --suite vscode-real` sets the environment: CODE_SERVER (its entry script), CHROMIUM,
// VITTE, VITTE_DAP, VITTE_LSP (the built binaries), VSCODE_REAL_OUT (a scratch folder in the target
// folder, where workspaces, logs and screenshots go) and VITTE_VSIX (the packaged extension).

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

/** The suite's folder (`tests/e2e/vscode-real`), which holds this file. */
export const SUITE = path.dirname(fileURLToPath(import.meta.url));

/** How long a user would wait for something to appear before calling it broken. */
export const PATIENCE_MS = 30_000;

/** The environment variable `name`, which the task sets; a clear error when it is missing. */
export function required(name) {
    const value = process.env[name];
    if (value === undefined || value === '') {
        throw new Error(`${name} is not set: run this suite with \`cargo xtask e2e --suite vscode-real\`, which sets it`);
    }
    return value;
}

/** The 1-based line of `program` (in the suite's workspace) that carries the marker `// #NAME`. */
export function line(program, name) {
    const lines = fs.readFileSync(path.join(SUITE, 'workspace', program), 'utf8').split('\n');
    const index = lines.findIndex((text) => text.includes(`// #${name}`));
    if (index < 0) {
        throw new Error(`${program} has no line marked // #${name}`);
    }
    return index + 1;
}

/** A free TCP port on 127.0.0.1. */
async function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

/** Processes this run started and has not stopped yet (process group leaders). */
const started = new Set();

function stopGroup(pid) {
    for (const signal of ['SIGTERM', 'SIGKILL']) {
        try {
            process.kill(-pid, signal);
        } catch {
            return; // already gone
        }
        if (signal === 'SIGTERM') {
            // Give it a moment to end its children (extension host, adapters) itself.
            spawnSync('sleep', ['0.5']);
        }
    }
}

process.on('exit', () => {
    for (const pid of started) {
        stopGroup(pid);
    }
});
for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => process.exit(130));
}

/**
 * A fresh workspace folder under VSCODE_REAL_OUT holding the suite's programs, and `settings` as its
 * `.vscode/settings.json` when given.
 */
export function makeWorkspace(name, settings) {
    const folder = path.join(required('VSCODE_REAL_OUT'), 'workspaces', name);
    fs.rmSync(folder, { recursive: true, force: true });
    fs.mkdirSync(folder, { recursive: true });
    for (const file of fs.readdirSync(path.join(SUITE, 'workspace'))) {
        fs.copyFileSync(path.join(SUITE, 'workspace', file), path.join(folder, file));
    }
    if (settings !== undefined) {
        fs.mkdirSync(path.join(folder, '.vscode'));
        fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify(settings, null, 4));
    }
    return folder;
}

/** code-server with the extension installed, its own user data, extensions and config, on a free port. */
export class CodeServer {
    static async start() {
        const out = required('VSCODE_REAL_OUT');
        const entry = required('CODE_SERVER');
        const home = path.join(out, 'code-server-home');
        fs.rmSync(home, { recursive: true, force: true });
        const userData = path.join(home, 'data');
        const extensions = path.join(home, 'extensions');
        fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
        fs.mkdirSync(path.join(userData, 'Machine'), { recursive: true });
        fs.mkdirSync(extensions, { recursive: true });
        const port = await freePort();
        const config = path.join(home, 'config.yaml');
        fs.writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
        fs.writeFileSync(
            path.join(userData, 'User', 'settings.json'),
            JSON.stringify(
                {
                    'workbench.startupEditor': 'none',
                    'workbench.tips.enabled': false,
                    'workbench.enableExperiments': false,
                    'security.workspace.trust.enabled': false,
                    'telemetry.telemetryLevel': 'off',
                    'extensions.autoCheckUpdates': false,
                    'extensions.autoUpdate': false,
                    'update.mode': 'none',
                    'editor.hover.delay': 200,
                    'debug.openDebug': 'openOnSessionStart',
                    'debug.internalConsoleOptions': 'openOnSessionStart',
                    'files.autoSave': 'off',
                    'chat.commandCenter.enabled': false,
                    // The workspaces live inside the project's own repository: no offer to open it.
                    'git.openRepositoryInParentFolders': 'never',
                },
                null,
                4,
            ),
        );
        // The vitte.*.path settings are machine-overridable: in a code-server window, the Machine settings
        // are where they take effect (User settings are the browser's side).
        fs.writeFileSync(
            path.join(userData, 'Machine', 'settings.json'),
            JSON.stringify(
                {
                    'vitte.path': required('VITTE'),
                    'vitte.dap.path': required('VITTE_DAP'),
                    'vitte.lsp.path': required('VITTE_LSP'),
                },
                null,
                4,
            ),
        );
        const common = [
            '--config',
            config,
            '--user-data-dir',
            userData,
            '--extensions-dir',
            extensions,
            '--disable-telemetry',
            '--disable-update-check',
            '--disable-workspace-trust',
            '--disable-getting-started-override',
        ];
        const install = spawnSync(process.execPath, [entry, ...common, '--install-extension', required('VITTE_VSIX')], {
            encoding: 'utf8',
            timeout: 120_000,
        });
        if (install.status !== 0 || !/successfully installed/.test(install.stdout)) {
            throw new Error(
                `code-server could not install the extension (exit ${install.status}):\n${install.stdout}${install.stderr}`,
            );
        }
        const logPath = path.join(home, 'code-server.log');
        const log = fs.openSync(logPath, 'w');
        const child = spawn(process.execPath, [entry, ...common], {
            detached: true,
            stdio: ['ignore', log, log],
            env: { ...process.env, VSCODE_PROXY_URI: '' },
        });
        fs.closeSync(log);
        started.add(child.pid);
        const server = new CodeServer(child, port, home, logPath);
        await server.waitUntilServing();
        return server;
    }

    constructor(child, port, home, logPath) {
        this.child = child;
        this.port = port;
        this.home = home;
        this.logPath = logPath;
        this.url = `http://127.0.0.1:${port}`;
    }

    /** The end of code-server's log, for failure messages. */
    logTail() {
        const text = fs.existsSync(this.logPath) ? fs.readFileSync(this.logPath, 'utf8') : '';
        return text.split('\n').slice(-30).join('\n');
    }

    async waitUntilServing() {
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline) {
            if (this.child.exitCode !== null) {
                throw new Error(`code-server exited with code ${this.child.exitCode}:\n${this.logTail()}`);
            }
            try {
                const response = await fetch(`${this.url}/healthz`);
                if (response.ok) {
                    return;
                }
            } catch {
                // not listening yet
            }
            await new Promise((resolve) => setTimeout(resolve, 200));
        }
        throw new Error(`code-server did not answer on ${this.url} within 60 s:\n${this.logTail()}`);
    }

    /** Stops code-server and everything it started (extension host, language server, adapters). */
    stop() {
        if (started.delete(this.child.pid)) {
            stopGroup(this.child.pid);
        }
    }
}

/** Headless Chromium, started with the flags this machine's closed network needs. */
export async function launchBrowser() {
    return chromium.launch({
        executablePath: required('CHROMIUM'),
        args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
        ],
    });
}

/** One VS Code window (a browser page) on a workspace folder, and the gestures a user makes in it. */
export class Window {
    static async open(browser, server, folder) {
        const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        const page = await context.newPage();
        const window = new Window(page, context);
        await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}`);
        await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        // The explorer shows the folder once the workbench has restored.
        await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
        return window;
    }

    constructor(page, context) {
        this.page = page;
        this.context = context;
        this.shots = 0;
    }

    async close() {
        await this.context.close();
    }

    /** Saves a screenshot as `VSCODE_REAL_OUT/screenshots/NAME.png`; gives its path. */
    async screenshot(name) {
        const folder = path.join(required('VSCODE_REAL_OUT'), 'screenshots');
        fs.mkdirSync(folder, { recursive: true });
        const file = path.join(folder, `${name}.png`);
        await this.page.screenshot({ path: file });
        return file;
    }

    /** Runs a command by its title through the Command Palette (F1). */
    async command(title) {
        await this.page.keyboard.press('F1');
        const input = this.page.locator('.quick-input-widget input');
        await input.waitFor({ timeout: PATIENCE_MS });
        await input.fill(`>${title}`);
        const item = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
        await item.waitFor({ timeout: PATIENCE_MS });
        await input.press('Enter');
        await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: PATIENCE_MS });
    }

    /** Opens `file` of the workspace with Quick Open (Ctrl+P) and waits for its editor to have focus. */
    async openFile(file) {
        await this.page.keyboard.press('Control+P');
        const input = this.page.locator('.quick-input-widget input');
        await input.waitFor({ timeout: PATIENCE_MS });
        await input.fill(file);
        await this.page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first().waitFor({ timeout: PATIENCE_MS });
        await input.press('Enter');
        await this.page.locator(`.tab.active[data-resource-name="${file}"]`).waitFor({ timeout: PATIENCE_MS });
        await this.page.locator('.editor-group-container.active .monaco-editor textarea').first().focus();
    }

    /** Moves the cursor of the active editor to `number` (Ctrl+G). */
    async goToLine(number) {
        await this.page.keyboard.press('Control+G');
        const input = this.page.locator('.quick-input-widget input');
        await input.waitFor({ timeout: PATIENCE_MS });
        await input.fill(`:${number}`);
        await input.press('Enter');
        await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: PATIENCE_MS });
    }

    /** Sets a breakpoint on `number` of the active editor (F9 there), and waits for its red dot. */
    async toggleBreakpoint(number) {
        await this.goToLine(number);
        await this.page.keyboard.press('F9');
        await this.page
            .locator('.editor-group-container.active .codicon-debug-breakpoint, .editor-group-container.active .codicon-debug-breakpoint-unverified')
            .first()
            .waitFor({ timeout: PATIENCE_MS });
    }

    /** Adds `expression` to the Watch view (its "Add Expression" button), as a user types it. */
    async addWatch(expression) {
        const header = this.page.locator('.pane-header', { hasText: /^Watch/i }).first();
        await header.hover();
        await header.locator('[aria-label="Add Expression"]').click();
        const input = this.page.locator('.debug-watch input');
        await input.waitFor({ timeout: PATIENCE_MS });
        await input.fill(expression);
        await input.press('Enter');
    }

    /** Clicks the code lens of the active editor whose text is `title`. */
    async clickCodeLens(title) {
        const lens = this.page.locator('.editor-group-container.active .codelens-decoration a', { hasText: title }).first();
        await lens.waitFor({ timeout: PATIENCE_MS });
        await lens.click();
    }

    /** Moves the mouse over the first occurrence of `word` in the active editor. */
    async hoverWord(word) {
        const token = this.page.locator('.editor-group-container.active .view-lines span span', { hasText: new RegExp(`^${word}$`) }).first();
        await token.waitFor({ timeout: PATIENCE_MS });
        await token.hover();
    }

    /** Presses `key` in the workbench (F5, F10, F11, …). */
    async press(key) {
        await this.page.keyboard.press(key);
    }

    /** The texts of the visible notifications (toasts), for checks and for failure messages. */
    async notifications() {
        return this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
    }

    /**
     * Waits until the debugger stops with the top frame on `number` of the active editor: the line
     * highlighted, its number next to it. It fails at once when an error notification appears instead,
     * and a failure says what the window shows (notifications).
     */
    async waitForStopAt(number) {
        const deadline = Date.now() + PATIENCE_MS;
        let seen;
        while (Date.now() < deadline) {
            seen = await this.highlightedLine();
            if (seen === number) {
                return;
            }
            const errors = await this.page
                .locator('.notification-toast:has(.codicon-error) .notification-list-item-message')
                .allInnerTexts();
            if (seen === undefined && errors.length > 0) {
                throw new Error(`the debugger did not stop; an error notification says: ${errors.join(' | ')}`);
            }
            await this.page.waitForTimeout(100);
        }
        if (seen !== undefined) {
            throw new Error(`the debugger stopped on line ${seen}, not on line ${number}`);
        }
        const shown = await this.notifications();
        throw new Error(
            `the debugger did not stop within ${PATIENCE_MS / 1000} s (no highlighted line)` +
                (shown.length > 0 ? `; notifications: ${shown.join(' | ')}` : '; no notification was shown'),
        );
    }

    /** The line number shown beside the highlighted (top stack frame) line of the active editor. */
    async highlightedLine() {
        return this.page.evaluate(() => {
            const editor = document.querySelector('.editor-group-container.active .monaco-editor');
            const mark = editor?.querySelector('.view-overlays .debug-top-stack-frame-line');
            if (!mark) {
                return undefined;
            }
            const top = mark.parentElement.style.top;
            for (const number of editor.querySelectorAll('.margin-view-overlays .line-numbers')) {
                if (number.parentElement.style.top === top) {
                    return Number(number.textContent.trim());
                }
            }
            return undefined;
        });
    }

    /** Waits until no debug session runs (the debug toolbar is gone). */
    async waitForSessionEnd() {
        await this.page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: PATIENCE_MS });
    }

    /** Waits until some row of the view `pane` (`.debug-call-stack`, `.debug-variables`, …) has text matching `pattern`. */
    async waitForRow(pane, pattern) {
        const rows = this.page.locator(`${pane} .monaco-list-row`);
        const deadline = Date.now() + PATIENCE_MS;
        let texts = [];
        while (Date.now() < deadline) {
            texts = (await rows.allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
            if (texts.some((text) => pattern.test(text))) {
                return texts;
            }
            await this.page.waitForTimeout(100);
        }
        throw new Error(`no row of ${pane} matches ${pattern}; its rows: ${JSON.stringify(texts)}`);
    }

    /** The texts of the rows of the view `pane`, spaces folded. */
    async rows(pane) {
        const texts = await this.page.locator(`${pane} .monaco-list-row`).allInnerTexts();
        return texts.map((text) => text.replace(/\s+/g, ' ').trim());
    }

    /** Waits until `selector`'s text matches `pattern`; gives the text. */
    async waitForText(selector, pattern) {
        const deadline = Date.now() + PATIENCE_MS;
        let text = '';
        while (Date.now() < deadline) {
            text = (await this.page.locator(selector).allInnerTexts()).join('\n');
            if (pattern.test(text)) {
                return text;
            }
            await this.page.waitForTimeout(100);
        }
        throw new Error(`${selector} does not show ${pattern} within ${PATIENCE_MS / 1000} s; it shows: ${JSON.stringify(text.slice(0, 2000))}`);
    }
}
