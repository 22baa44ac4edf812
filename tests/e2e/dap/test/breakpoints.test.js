// Breakpoints: plain, conditional, with a hit count, and logpoints.

'use strict';

const assert = require('node:assert/strict');
const {
  evaluate,
  exitCode,
  frames,
  launch,
  line,
  locals,
  program,
  stopped,
  topFrame,
  withClient,
} = require('./support');

describe('breakpoints', function () {
  const ctx = withClient();

  it('stops at a plain breakpoint, with the caller below on the stack', async function () {
    const { client } = ctx;
    const name = 'breakpoint.vit';
    const path = program(name);
    const bpLine = line(name, 'BP');
    await client.hitBreakpoint({ program: path }, { path, line: bpLine });

    const stop = client.eventsOf('stopped')[0].body;
    if (stop.hitBreakpointIds !== undefined) {
      assert.equal(stop.hitBreakpointIds.length, 1, 'one breakpoint was hit');
    }
    const stack = await frames(client, stop.threadId);
    assert.deepEqual(
      stack.map((frame) => [frame.name.match(/\b(add|main)\b/)?.[1], frame.line]),
      [
        ['add', bpLine],
        ['main', line(name, 'CALL')],
      ],
    );
    const vars = await locals(client, stack[0].id);
    assert.equal(vars.a.value, '2');
    assert.equal(vars.b.value, '3');

    await client.continueRequest({ threadId: stop.threadId });
    assert.equal(await exitCode(client), 0);
    await client.waitForOutput('5\n');
    assert.equal(client.eventsOf('stopped').length, 1);
  });

  it('stops at a conditional breakpoint only when its condition holds (i == 3)', async function () {
    const { client } = ctx;
    const name = 'conditional.vit';
    const bpLine = line(name, 'BP');
    const [bp] = await launch(client, name, { breakpoints: [{ line: bpLine, condition: 'i == 3' }] });
    assert.equal(bp.verified, true);
    assert.equal(bp.line, bpLine);

    const stop = await stopped(client, 'breakpoint');
    const frame = await topFrame(client, stop.threadId);
    assert.equal(frame.line, bpLine);
    assert.equal(await evaluate(client, 'i', frame.id), '3');
    assert.equal(await evaluate(client, 'total', frame.id), '3', 'total = 0 + 1 + 2 so far');

    await client.continueRequest({ threadId: stop.threadId });
    assert.equal(await exitCode(client), 0);
    assert.equal(client.eventsOf('stopped').length, 1, 'the condition holds once');
    await client.waitForOutput('45\n');
  });

  it('stops at a breakpoint with a hit count on its fifth hit', async function () {
    const { client } = ctx;
    const name = 'hit_count.vit';
    const bpLine = line(name, 'BP');
    const [bp] = await launch(client, name, { breakpoints: [{ line: bpLine, hitCondition: '5' }] });
    assert.equal(bp.verified, true);

    const stop = await stopped(client, 'breakpoint');
    const frame = await topFrame(client, stop.threadId);
    assert.equal(frame.line, bpLine);
    assert.equal(await evaluate(client, 'i', frame.id), '4', 'the fifth pass has i = 4');
    assert.equal(await evaluate(client, 'count', frame.id), '4', 'four increments ran before it');

    await client.setBreakpointsRequest({ source: { path: program(name) }, breakpoints: [], lines: [] });
    await client.continueRequest({ threadId: stop.threadId });
    assert.equal(await exitCode(client), 0);
    assert.equal(client.eventsOf('stopped').length, 1);
    await client.waitForOutput('10\n');
  });

  it('prints a logpoint message with interpolated expressions, without stopping', async function () {
    const { client } = ctx;
    const name = 'logpoint.vit';
    const [bp] = await launch(client, name, {
      breakpoints: [{ line: line(name, 'LOG'), logMessage: 'pass {i}: square={square}, next={i + 1}' }],
    });
    assert.equal(bp.verified, true);

    assert.equal(await exitCode(client), 0);
    assert.equal(client.eventsOf('stopped').length, 0, 'a logpoint never stops');
    await client.waitForOutput('square 4\n');
    const logged = client
      .output()
      .split('\n')
      .filter((text) => text.startsWith('pass '));
    assert.deepEqual(logged, ['pass 0: square=0, next=1', 'pass 1: square=1, next=2', 'pass 2: square=4, next=3']);
  });
});
