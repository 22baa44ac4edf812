// Bad requests: each gets an error response, and the session goes on working.

'use strict';

const assert = require('node:assert/strict');
const path = require('node:path');
const {
  evaluate,
  exitCode,
  launch,
  line,
  locals,
  program,
  scope,
  stopped,
  topFrame,
  withClient,
} = require('./support');

describe('bad requests', function () {
  const ctx = withClient();

  it('answers bad requests with errors and keeps the session working', async function () {
    const { client } = ctx;
    const name = 'bad_requests.vit';
    await launch(client, name, { breakpoints: [{ line: line(name, 'BP') }] });
    const { threadId } = await stopped(client, 'breakpoint');
    const frame = await topFrame(client, threadId);
    const stale = (await scope(client, frame.id, 'Locals')).variablesReference;
    assert.equal((await locals(client, frame.id)).value.value, '5');

    await assert.rejects(client.customRequest('noSuchCommand', { x: 1 }), 'unknown command');
    await assert.rejects(client.stackTraceRequest({ threadId: 987654 }), 'no such thread');
    await assert.rejects(client.variablesRequest({ variablesReference: 987654 }), 'no such reference');
    await assert.rejects(client.scopesRequest({ frameId: 987654 }), 'no such frame');
    await assert.rejects(evaluate(client, 'value +', frame.id), 'a syntax error');
    await assert.rejects(evaluate(client, 'nowhere * 2', frame.id), 'an unknown name');
    assert.equal(client.adapterExit, null, 'the adapter is still running');

    assert.equal(await evaluate(client, 'value * 2', frame.id), '10', 'the session still answers');

    await client.nextRequest({ threadId });
    await stopped(client, 'step');
    const after = await topFrame(client, threadId);
    assert.equal(after.line, line(name, 'NEXT'));
    await assert.rejects(
      client.variablesRequest({ variablesReference: stale }),
      'a reference from before the step is stale',
    );
    assert.equal((await locals(client, after.id)).value.value, '5');

    await client.continueRequest({ threadId });
    assert.equal(await exitCode(client), 0);
    await client.waitForOutput('6\n');
    assert.equal(client.output('stdout'), '5\n6\n');
  });

  it('answers the launch of a missing program with an error naming it, and goes on answering', async function () {
    const { client } = ctx;
    await client.initializeRequest();
    const missing = path.join(path.dirname(program('bad_requests.vit')), 'no_such_program.vit');
    await assert.rejects(client.launchRequest({ program: missing }), /no_such_program\.vit/);

    // Either an empty list or an error response will do; silence will not.
    const threads = await client.threadsRequest().then(
      (response) => response.body.threads,
      (error) => {
        if (/no response/.test(error.message)) {
          throw error;
        }
        return [];
      },
    );
    assert.deepEqual(threads, [], 'no program, no threads');
    assert.equal(client.adapterExit, null, 'the adapter is still running');
  });
});
