// The debug adapter as a child process the extension starts itself (rather than handing VS Code a
// command line), so that when it cannot start or exits before the session is over the user is told
// which program it was, how it ended and what it wrote to stderr, instead of F5 doing nothing.
// Plain Node.js, no VS Code API, so that the unit tests run it against the real vitte-dap.

import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/** How much of the adapter's stderr is kept for a report (its end). */
export const STDERR_KEPT = 4096;

/** One Debug Adapter Protocol message, as parsed from or written to the adapter's streams. */
export type ProtocolMessage = { readonly seq?: number; readonly type?: string; [key: string]: unknown };

/** What the owner of an [[AdapterProcess]] hears from it. */
export interface AdapterListener {
    /** A message the adapter sent. */
    message(message: ProtocolMessage): void;
    /** The adapter's stderr, as it arrives. */
    stderr(text: string): void;
    /** The adapter ended (or could not be started); `early` unless the session had ended first. */
    ended(ending: AdapterEnding): void;
}

/** How the adapter process ended. */
export interface AdapterEnding {
    /** The program that was started. */
    readonly program: string;
    /** Its exit code, or `null` when a signal ended it or it never started. */
    readonly code: number | null;
    /** The signal that ended it, if any. */
    readonly signal: NodeJS.Signals | null;
    /** Why it could not be started (`spawn … ENOENT`), if it could not. */
    readonly startError?: string;
    /** The end of what it wrote to stderr. */
    readonly stderr: string;
    /** Whether it ended before the session did (no `terminated`/`exited` event, no `disconnect` answered). */
    readonly early: boolean;
    /** The requests sent to it that it never answered. */
    readonly unanswered: readonly ProtocolMessage[];
}

/** The debug adapter `program args…`, speaking DAP over its stdin and stdout. */
export class AdapterProcess {
    private readonly child: ChildProcessWithoutNullStreams;
    private input = Buffer.alloc(0);
    private stderrTail = '';
    private sessionOver = false;
    private ending: AdapterEnding | undefined;
    private readonly pending = new Map<number, ProtocolMessage>();

    constructor(
        readonly program: string,
        args: readonly string[],
        private readonly listener: AdapterListener,
        options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
    ) {
        this.child = spawn(program, args, { cwd: options.cwd, env: options.env, stdio: 'pipe' });
        this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
        this.child.stderr.setEncoding('utf8');
        this.child.stderr.on('data', (text: string) => {
            this.stderrTail = (this.stderrTail + text).slice(-STDERR_KEPT);
            this.listener.stderr(text);
        });
        // Writing to an adapter that has gone reports EPIPE here; its exit is reported by `close`.
        this.child.stdin.on('error', () => undefined);
        this.child.on('error', (error) => this.end(null, null, error.message));
        this.child.on('close', (code, signal) => this.end(code, signal));
    }

    /** Sends `message` to the adapter (nothing once it has ended). */
    send(message: ProtocolMessage): void {
        if (this.ending !== undefined) {
            return;
        }
        if (message.type === 'request' && typeof message.seq === 'number') {
            this.pending.set(message.seq, message);
        }
        const body = Buffer.from(JSON.stringify(message), 'utf8');
        this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
        this.child.stdin.write(body);
    }

    /** Ends the adapter if it still runs. */
    kill(): void {
        this.sessionOver = true;
        if (this.ending === undefined) {
            this.child.kill();
        }
    }

    private receive(chunk: Buffer): void {
        this.input = Buffer.concat([this.input, chunk]);
        for (;;) {
            const headerEnd = this.input.indexOf('\r\n\r\n');
            if (headerEnd < 0) {
                return;
            }
            const header = this.input.subarray(0, headerEnd).toString('ascii');
            const length = /Content-Length:\s*(\d+)/i.exec(header);
            if (length === null) {
                // Not a DAP header: drop it, as VS Code's own stream reader does.
                this.input = this.input.subarray(headerEnd + 4);
                continue;
            }
            const start = headerEnd + 4;
            const end = start + Number(length[1]);
            if (this.input.length < end) {
                return;
            }
            const text = this.input.subarray(start, end).toString('utf8');
            this.input = this.input.subarray(end);
            let message: ProtocolMessage;
            try {
                message = JSON.parse(text) as ProtocolMessage;
            } catch {
                this.listener.stderr(`(the debug adapter sent a message that is not JSON: ${text.slice(0, 200)})\n`);
                continue;
            }
            this.observe(message);
            this.listener.message(message);
        }
    }

    /** Keeps track of unanswered requests and of the session's end. */
    private observe(message: ProtocolMessage): void {
        if (message.type === 'response' && typeof message.request_seq === 'number') {
            this.pending.delete(message.request_seq);
            if (message.command === 'disconnect' || message.command === 'terminate') {
                this.sessionOver = true;
            }
        } else if (message.type === 'event' && (message.event === 'terminated' || message.event === 'exited')) {
            this.sessionOver = true;
        }
    }

    private end(code: number | null, signal: NodeJS.Signals | null, startError?: string): void {
        if (this.ending !== undefined) {
            return;
        }
        this.ending = {
            program: this.program,
            code,
            signal,
            startError,
            stderr: this.stderrTail,
            early: !this.sessionOver,
            unanswered: [...this.pending.values()],
        };
        this.pending.clear();
        this.listener.ended(this.ending);
    }
}

/** What to tell the user about an adapter that ended early or failed: one paragraph, path, code and stderr. */
export function describeEnding(ending: AdapterEnding): string {
    const how =
        ending.startError !== undefined
            ? `could not be started (${ending.startError})`
            : ending.signal !== null
              ? `was ended by signal ${ending.signal}`
              : `exited with code ${ending.code}`;
    const when = ending.early ? ' before the debug session ended' : '';
    const stderr = ending.stderr.trim();
    const said = stderr === '' ? ' It wrote nothing to stderr.' : ` Its stderr: ${lastLines(stderr, 6)}`;
    return `The Vitte debug adapter ${ending.program} ${how}${when}.${said}`;
}

/** Whether an ending is worth reporting: a start failure, an early end, or a failure exit code. */
export function isFailure(ending: AdapterEnding): boolean {
    return ending.startError !== undefined || ending.early || (ending.code !== null && ending.code !== 0);
}

function lastLines(text: string, count: number): string {
    return text.split(/\r?\n/).slice(-count).join('\n');
}
