// The names the extension shares with package.json and with vitte-lsp: language, debugger type,
// commands. Plain TypeScript, so that the tests import it without VS Code.

/** The language id, as in package.json's `languages`. */
export const LANGUAGE_ID = 'vitte';

/** The debugger type, as in package.json's `debuggers`. */
export const DEBUG_TYPE = 'vitte';

/** Commands, as in package.json's `commands`; vitte-lsp's "▶ Run | Debug" code lenses name the first two. */
export const RUN_FILE = 'vitte.runFile';
export const DEBUG_FILE = 'vitte.debugFile';
export const RESTART_LANGUAGE_SERVER = 'vitte.restartLanguageServer';
