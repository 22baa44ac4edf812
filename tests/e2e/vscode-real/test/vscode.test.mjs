// The Vitte extension in real VS Code (code-server 4.100.3, VS Code 1.100.3) in headless Chromium,
// used as a person would: F5 with no launch.json, breakpoints, stepping, watch, output, exceptions,
// threads, the code lens, Problems, hover, and a broken adapter path. Each scenario leaves screenshots
// in VSCODE_REAL_OUT/screenshots.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CodeServer, launchBrowser, line, makeWorkspace, required, Window } from '../support.mjs';

let server;
let browser;

before(async () => {
    server = await CodeServer.start();
    browser = await launchBrowser();
});

after(async () => {
    await browser?.close();
    server?.stop();
});

/** Opens a window on a fresh copy of the workspace (with `settings`), runs `body`, and always closes it. */
async function inWindow(name, settings, body) {
    const folder = makeWorkspace(name, settings);
    const window = await Window.open(browser, server, folder);
    try {
        await body(window, folder);
    } catch (error) {
        const shot = await window.screenshot(`${name}-FAILED`).catch(() => 'none');
        error.message += `\n(screenshot: ${shot})\ncode-server's log ends with:\n${server.logTail()}`;
        throw error;
    } finally {
        await window.close();
    }
}

/**
 * F5 on main.vit with a breakpoint and no launch.json: it stops on the breakpoint's line, with `main` in
 * the Call Stack and the local `count` in Variables. Shared by the scenario and by the check that a broken adapter
 * makes it fail.
 */
async function f5StopsAtBreakpoint(window) {
    await window.openFile('main.vit');
    await window.toggleBreakpoint(line('main.vit', 'BP'));
    await window.press('F5');
    await window.waitForStopAt(line('main.vit', 'BP'));
    await window.waitForRow('.debug-call-stack', new RegExp(`^main main\\.vit ${line('main.vit', 'BP')}:\\d+$`));
    await window.waitForRow('.debug-variables', /^count = 20$/);
}

/** Writes an executable script that stands for a broken debug adapter: it prints `stderr` and exits `code`. */
function brokenAdapter(name, code, stderr) {
    const file = path.join(required('VSCODE_REAL_OUT'), `${name}.sh`);
    fs.writeFileSync(file, `#!/bin/sh\necho '${stderr}' >&2\nexit ${code}\n`, { mode: 0o755 });
    return file;
}

describe('debugging in VS Code', () => {
    it('F5 with no launch.json stops at a breakpoint, steps over and in, watches, and runs to the end with its output', async () => {
        await inWindow('f5', undefined, async (window) => {
            await f5StopsAtBreakpoint(window);
            await window.screenshot('f5-1-stopped-at-breakpoint');

            await window.press('F10');
            await window.waitForStopAt(line('main.vit', 'CALL'));
            await window.waitForRow('.debug-variables', /^total = 21$/);

            await window.press('F11');
            await window.waitForStopAt(line('main.vit', 'IN'));
            // Both frames, the callee first. The Call Stack view is redrawn after the editor moves, and
            // VS Code fetches the frames under the top one a moment later: wait for the callee, then
            // for its caller under it.
            const callee = new RegExp(`^double main\\.vit ${line('main.vit', 'IN')}:\\d+$`);
            await window.waitForRow('.debug-call-stack', callee);
            const frames = await window.waitForRow('.debug-call-stack', /^main main\.vit \d+:\d+$/);
            assert.match(frames[0], callee, JSON.stringify(frames));
            assert.match(frames[1], /^main main\.vit \d+:\d+$/, JSON.stringify(frames));
            await window.waitForRow('.debug-variables', /^n = 21$/);

            await window.addWatch('n * 2');
            await window.waitForRow('.debug-watch', /^n \* 2 = 42$/);
            await window.screenshot('f5-2-stepped-into-double-with-watch');

            await window.press('F5');
            await window.waitForSessionEnd();
            await window.waitForText('.repl', /result is 42/);
            await window.screenshot('f5-3-output-in-debug-console');
        });
    });

    it('an uncaught runtime error stops with the exception widget showing the message', async () => {
        await inWindow('exception', undefined, async (window) => {
            await window.openFile('crash.vit');
            await window.press('F5');
            await window.waitForStopAt(line('crash.vit', 'THROW'));
            await window.waitForText('.exception-widget', /division by zero/);
            await window.waitForRow('.debug-call-stack', /^average crash\.vit \d+:\d+$/);
            await window.waitForRow('.debug-call-stack', /^main crash\.vit \d+:\d+$/);
            await window.screenshot('exception-widget');
            await window.press('Shift+F5');
            await window.waitForSessionEnd();
        });
    });

    it('a program with 3 VM threads shows 3 threads in the Call Stack', async () => {
        await inWindow('threads', undefined, async (window) => {
            await window.openFile('threads.vit');
            await window.toggleBreakpoint(line('threads.vit', 'BP'));
            await window.press('F5');
            await window.waitForStopAt(line('threads.vit', 'BP'));
            await window.waitForRow('.debug-call-stack', /^thread 2\b/);
            const threads = (await window.rows('.debug-call-stack')).filter((row) => /^(main|thread \d+)\b/.test(row) && !/\.vit \d+:\d+$/.test(row));
            assert.equal(threads.length, 3, `threads in the Call Stack: ${JSON.stringify(await window.rows('.debug-call-stack'))}`);
            await window.screenshot('threads-call-stack');
            await window.press('F5');
            await window.waitForSessionEnd();
            await window.waitForText('.repl', /worker 2 got 20/);
        });
    });

    it('the "Run | Debug" code lens above main starts a session', async () => {
        await inWindow('lens', undefined, async (window) => {
            await window.openFile('lens.vit');
            await window.toggleBreakpoint(line('lens.vit', 'BP'));
            await window.clickCodeLens('Debug');
            await window.waitForStopAt(line('lens.vit', 'BP'));
            await window.waitForRow('.debug-variables', /^greeting = "hello from the lens"$/);
            await window.screenshot('code-lens-session');
            await window.press('F5');
            await window.waitForSessionEnd();
        });
    });
});

describe('editing in VS Code', () => {
    it('a type error shows in Problems, and hover shows a type, both from vitte-lsp', async () => {
        await inWindow('editing', undefined, async (window) => {
            await window.openFile('type_error.vit');
            await window.press('Control+Shift+M');
            await window.waitForText('.markers-panel', /cannot apply '\+' to int and float/);
            await window.screenshot('problems');
            await window.hoverWord('count');
            await window.waitForText('.monaco-hover', /count: int/);
            await window.screenshot('hover');
        });
    });
});

describe('a broken debug adapter', () => {
    it('vitte.dap.path pointing at `vitte` shows an error naming the path, the exit code and its stderr', async () => {
        const vitte = required('VITTE');
        await inWindow('wrong-adapter', { 'vitte.dap.path': vitte }, async (window) => {
            await window.openFile('main.vit');
            await window.press('F5');
            const text = await window.waitForText('.notification-toast', /exited with code 2/);
            assert.ok(text.includes(vitte), text);
            assert.match(text, /--stdio/, 'the notification quotes what vitte wrote to stderr');
            // The failed session ends: no debug toolbar is left behind.
            await window.waitForSessionEnd();
            await window.screenshot('wrong-adapter-notification');
            await window.page.locator('.notification-toast .monaco-button', { hasText: 'Open Settings' }).first().click();
            // vitte.dap.path is set in this folder's settings: that is where the button leads.
            await window.waitForText('.settings-editor .settings-tabs-widget .checked', /Workspace/);
            await window.waitForText('.settings-editor .settings-body', /Dap: Path/);
            await window.screenshot('wrong-adapter-settings');
        });
    });

    it('makes the F5 scenario fail, and says why', async () => {
        const broken = brokenAdapter('exits-3', 3, 'broken adapter: cannot start');
        await inWindow('broken-adapter', { 'vitte.dap.path': broken }, async (window) => {
            await assert.rejects(f5StopsAtBreakpoint(window), (error) => {
                assert.match(error.message, /did not stop/);
                assert.match(error.message, /exited with code 3 before the debug session ended/);
                assert.ok(error.message.includes(broken), error.message);
                assert.match(error.message, /broken adapter: cannot start/);
                return true;
            });
            await window.screenshot('broken-adapter-f5-fails');
        });
    });
});
