// The debug adapter's process as the extension runs it: DAP framing over its stdout (split and joined
// chunks, a body that is not JSON), the end of its stderr, and how its ending is described.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
    AdapterEnding,
    AdapterProcess,
    describeEnding,
    isFailure,
    ProtocolMessage,
    STDERR_KEPT,
} from '../../src/adapterProcess';

/** Runs `script` with Node.js as the adapter; gives the messages, the stderr and the ending. */
function runAdapter(
    script: string,
    send: ProtocolMessage[] = [],
): Promise<{ messages: ProtocolMessage[]; stderr: string; ending: AdapterEnding }> {
    return new Promise((resolve) => {
        const messages: ProtocolMessage[] = [];
        let stderr = '';
        const adapter = new AdapterProcess(process.execPath, ['-e', script], {
            message: (message) => messages.push(message),
            stderr: (text) => {
                stderr += text;
            },
            ended: (ending) => resolve({ messages, stderr, ending }),
        });
        send.forEach((message) => adapter.send(message));
    });
}

/** A Node.js expression that frames the JSON text `json`. */
const frame = (json: string) => `'Content-Length: ' + Buffer.byteLength(${json}) + '\\r\\n\\r\\n' + ${json}`;

describe('the adapter process', () => {
    it('reads messages split across chunks and joined in one chunk', async () => {
        const script = `
            const one = ${frame(`JSON.stringify({ seq: 1, type: 'event', event: 'initialized', body: { text: 'é' } })`)};
            const two = ${frame(`JSON.stringify({ seq: 2, type: 'event', event: 'terminated' })`)};
            process.stdout.write(one.slice(0, 7));
            setTimeout(() => process.stdout.write(one.slice(7) + two), 50);`;
        const { messages, ending } = await runAdapter(script);
        assert.deepEqual(
            messages.map((message) => message.event),
            ['initialized', 'terminated'],
        );
        assert.deepEqual((messages[0] as any).body, { text: 'é' });
        assert.equal(ending.code, 0);
        assert.equal(ending.early, false, 'a terminated event ends the session');
        assert.equal(isFailure(ending), false);
    });

    it('skips a body that is not JSON, saying so, and goes on', async () => {
        const script = `process.stdout.write(${frame(`'{not json'`)} + ${frame(`JSON.stringify({ seq: 3, type: 'event', event: 'exited' })`)});`;
        const { messages, stderr } = await runAdapter(script);
        assert.deepEqual(messages.map((message) => message.event), ['exited']);
        assert.match(stderr, /not JSON: \{not json/);
    });

    it('drops what is not DAP (no Content-Length, an endless header, a huge body) and goes on', async () => {
        const script = `
            process.stdout.write('Hello: there\\r\\n\\r\\n');
            process.stdout.write('Content-Length: 70000000\\r\\n\\r\\n' + 'y'.repeat(1000));
            process.stdout.write('y'.repeat(70000000 - 1000));
            process.stdout.write(${frame(`JSON.stringify({ seq: 4, type: 'event', event: 'exited' })`)});
            process.stdout.write('z'.repeat(10000));`;
        const { messages, stderr } = await runAdapter(script);
        assert.deepEqual(messages.map((message) => message.event), ['exited']);
        assert.match(stderr, /a header without Content-Length: Hello: there/);
        assert.match(stderr, /a message of 70000000 bytes \(more than 67108864\), skipped/);
        assert.match(stderr, /a header longer than 8192 bytes: z+/);
    });

    it('gives back the requests left unanswered by an adapter that exits early, and the end of its stderr', async () => {
        const script = `process.stderr.write('x'.repeat(${STDERR_KEPT}) + 'last words'); process.exit(3);`;
        const request = { seq: 1, type: 'request', command: 'initialize', arguments: {} };
        const { ending } = await runAdapter(script, [request]);
        assert.equal(ending.code, 3);
        assert.equal(ending.early, true);
        assert.equal(ending.stderr.length, STDERR_KEPT);
        assert.ok(ending.stderr.endsWith('last words'));
        assert.ok(isFailure(ending));
        const text = describeEnding(ending);
        assert.match(text, /exited with code 3 before the debug session ended\. Its stderr: x+last words$/);
        assert.ok(text.includes(process.execPath), text);
    });

    it('reports a program that cannot be started', async () => {
        const ending = await new Promise<AdapterEnding>((resolve) => {
            new AdapterProcess('/no/such/vitte-dap', ['--stdio'], {
                message: () => undefined,
                stderr: () => undefined,
                ended: resolve,
            });
        });
        assert.ok(isFailure(ending));
        assert.match(describeEnding(ending), /^The Vitte debug adapter \/no\/such\/vitte-dap could not be started \(.*ENOENT.*\).*It wrote nothing to stderr\.$/);
    });

    it('describes an adapter ended by a signal', () => {
        const ending: AdapterEnding = {
            program: '/bin/vitte-dap',
            code: null,
            signal: 'SIGSEGV',
            stderr: '',
            early: true,
            unanswered: [],
        };
        assert.match(describeEnding(ending), /vitte-dap was ended by signal SIGSEGV before the debug session ended/);
    });
});
