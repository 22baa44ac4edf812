// The debug adapter as a child process the extension starts itself (rather than handing VS Code a
// command line), so that when it cannot start or exits before the session is over the user is told
// which program it was, how it ended and what it wrote to stderr, instead of F5 doing nothing.
// Plain Node.js, no VS Code API, so that the unit tests run it against the real vitte-dap.

import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/** How much of the adapter's stderr is kept for a report (its end). */
export const STDERR_KEPT = 4096;

/** The longest header accepted, as the adapter's own framing reads its input. */
const HEADER_LIMIT = 8 * 1024;

/** The largest message body accepted; a larger one is skipped. */
const BODY_LIMIT = 64 * 1024 * 1024;

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
    private input: Buffer = Buffer.alloc(0);
    /** Bytes of a refused (too large) body still to be dropped. */
    private skipping = 0;
    /** The size of the body being read, once its header has been. */
    private bodySize: number | undefined;
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
        if (this.skipping > 0) {
            const skipped = Math.min(this.skipping, chunk.length);
            this.skipping -= skipped;
            chunk = chunk.subarray(skipped);
        }
        this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk]);
        for (;;) {
            if (this.bodySize === undefined) {
                const headerEnd = this.input.indexOf('\r\n\r\n');
                if (headerEnd < 0) {
                    if (this.input.length > HEADER_LIMIT) {
                        this.complain(`a header longer than ${HEADER_LIMIT} bytes`, this.input);
                        this.input = Buffer.alloc(0);
                    }
                    return;
                }
                const header = this.input.subarray(0, headerEnd);
                this.input = this.input.subarray(headerEnd + 4);
                const length = /Content-Length:\s*(\d+)/i.exec(header.toString('ascii'));
                if (length === null) {
                    // Not a DAP header: drop it, as VS Code's own stream reader does.
                    this.complain('a header without Content-Length', header);
                    continue;
                }
                const size = Number(length[1]);
                if (size > BODY_LIMIT) {
                    this.complain(`a message of ${size} bytes (more than ${BODY_LIMIT}), skipped`, header);
                    const skipped = Math.min(size, this.input.length);
                    this.skipping = size - skipped;
                    this.input = this.input.subarray(skipped);
                    continue;
                }
                this.bodySize = size;
            }
            if (this.input.length < this.bodySize) {
                return;
            }
            const text = this.input.subarray(0, this.bodySize).toString('utf8');
            this.input = this.input.subarray(this.bodySize);
            this.bodySize = undefined;
            let message: ProtocolMessage;
            try {
                message = JSON.parse(text) as ProtocolMessage;
            } catch {
                this.complain('a message that is not JSON', Buffer.from(text));
                continue;
            }
            this.observe(message);
            this.listener.message(message);
        }
    }

    /** Tells the stderr listener that the adapter wrote something that is not DAP (its start quoted). */
    private complain(what: string, bytes: Buffer): void {
        const start = bytes.subarray(0, 200).toString('utf8');
        this.listener.stderr(`(the debug adapter sent ${what}: ${start})\n`);
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
