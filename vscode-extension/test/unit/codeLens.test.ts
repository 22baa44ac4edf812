// The "▶ Run | Debug" code lenses of the real vitte-lsp ($VITTE_LSP) name the commands the extension
// registers, with an argument the commands understand (the document's URI).

import * as assert from 'node:assert/strict';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';

import { DEBUG_FILE, LANGUAGE_ID, RUN_FILE } from '../../src/ids';
import { fileOfCommandArgument } from '../../src/launch';
import { binaryFromEnvironment } from '../support/paths';

const TIMEOUT_MS = 30_000;

/** A minimal LSP client over the server's stdio: requests by id, notifications ignored. */
class LspConnection {
    private buffer = Buffer.alloc(0);
    private nextId = 1;
    private readonly pending = new Map<number, (message: any) => void>();

    constructor(private readonly server: ChildProcessWithoutNullStreams) {
        server.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    }

    request(method: string, params: unknown): Promise<any> {
        const id = this.nextId++;
        const answer = new Promise<any>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no answer to ${method} within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
            this.pending.set(id, (message) => {
                clearTimeout(timer);
                if (message.error !== undefined) {
                    reject(new Error(`${method} failed: ${JSON.stringify(message.error)}`));
                } else {
                    resolve(message.result);
                }
            });
        });
        this.send({ jsonrpc: '2.0', id, method, params });
        return answer;
    }

    notify(method: string, params: unknown): void {
        this.send({ jsonrpc: '2.0', method, params });
    }

    private send(message: unknown): void {
        const body = Buffer.from(JSON.stringify(message), 'utf8');
        this.server.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
        this.server.stdin.write(body);
    }

    private receive(chunk: Buffer): void {
        this.buffer = Buffer.concat([this.buffer, chunk]);
        for (;;) {
            const headerEnd = this.buffer.indexOf('\r\n\r\n');
            if (headerEnd < 0) {
                return;
            }
            const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
            const bodyStart = headerEnd + 4;
            if (this.buffer.length < bodyStart + length) {
                return;
            }
            const message = JSON.parse(this.buffer.subarray(bodyStart, bodyStart + length).toString('utf8'));
            this.buffer = this.buffer.subarray(bodyStart + length);
            if (typeof message.id === 'number' && this.pending.has(message.id) && message.method === undefined) {
                this.pending.get(message.id)?.(message);
                this.pending.delete(message.id);
            }
        }
    }
}

describe('the code lenses of vitte-lsp', () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vitte-code-lens-'));
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it('are "▶ Run" and "Debug" with the commands of the extension and the file URI', async () => {
        const server = spawn(binaryFromEnvironment('VITTE_LSP'), ['--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
        const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
        try {
            const connection = new LspConnection(server);
            const file = path.join(scratch, 'hello.vit');
            const text = 'proc main() -> int {\n    print("hello");\n    give 0;\n}\n';
            fs.writeFileSync(file, text);
            const uri = pathToFileURL(file).href;
            const initialized = await connection.request('initialize', {
                processId: process.pid,
                rootUri: pathToFileURL(scratch).href,
                capabilities: {},
            });
            assert.ok(initialized.capabilities.codeLensProvider, 'the server offers no code lenses');
            connection.notify('initialized', {});
            connection.notify('textDocument/didOpen', { textDocument: { uri, languageId: LANGUAGE_ID, version: 1, text } });
            const lenses = await connection.request('textDocument/codeLens', { textDocument: { uri } });
            assert.deepEqual(
                lenses.map((lens: any) => [lens.command.title, lens.command.command]),
                [
                    ['▶ Run', RUN_FILE],
                    ['Debug', DEBUG_FILE],
                ],
            );
            for (const lens of lenses) {
                assert.equal(lens.range.start.line, 0, 'the lens is not on the line of main');
                assert.equal(lens.command.arguments.length, 1);
                assert.equal(fileOfCommandArgument(lens.command.arguments[0], undefined), file);
            }
            await connection.request('shutdown', null);
            connection.notify('exit', null);
            assert.equal(await exited, 0);
        } finally {
            server.kill();
        }
    });
});
