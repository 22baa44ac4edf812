// The life of a session: capabilities, running to the end, stopping on entry.

'use strict';

const assert = require('node:assert/strict');
const { exitCode, launch, line, program, stopped, topFrame, withClient } = require('./support');

describe('session', function () {
  const ctx = withClient();

  it('answers initialize with the capabilities the suite relies on', async function () {
    const { client } = ctx;
    const response = await client.initializeRequest();
    const caps = response.body;
    for (const capability of [
      'supportsConfigurationDoneRequest',
      'supportsConditionalBreakpoints',
      'supportsHitConditionalBreakpoints',
      'supportsLogPoints',
      'supportsFunctionBreakpoints',
      'supportsSetVariable',
      'supportsExceptionInfoRequest',
      'supportsDisassembleRequest',
      'supportsTerminateRequest',
    ]) {
      assert.equal(caps[capability], true, `${capability} should be true`);
    }
    const filters = (caps.exceptionBreakpointFilters || []).map((filter) => filter.filter).sort();
    assert.deepEqual(filters, ['all', 'uncaught']);
  });

  it('runs a program to the end: its output as output events, then its exit code', async function () {
    const { client } = ctx;
    await launch(client, 'run_to_end.vit');
    assert.equal(await exitCode(client), 3);
    await client.waitForOutput('answer = 42\n');
    assert.equal(client.output('stdout'), 'hello from vitte\nanswer = 42\n');
    assert.equal(client.eventsOf('stopped').length, 0, 'nothing asked it to stop');
  });

  it('stops on entry before anything runs, then runs on', async function () {
    const { client } = ctx;
    const name = 'stop_on_entry.vit';
    await launch(client, name, { launch: { stopOnEntry: true } });
    const stop = await stopped(client, 'entry');
    const frame = await topFrame(client, stop.threadId);
    assert.match(frame.name, /\bmain\b/);
    assert.equal(frame.line, line(name, 'FIRST'));
    assert.equal(frame.source.path, program(name));
    assert.ok(!client.output().includes('first line'), 'nothing ran before the entry stop');

    await client.continueRequest({ threadId: stop.threadId });
    assert.equal(await exitCode(client), 0);
    await client.waitForOutput('second line\n');
    assert.equal(client.output('stdout'), 'first line\nsecond line\n');
  });
});
