// Looking at data: scopes and locals, nested forms, paged arrays, setVariable, evaluate in a frame.

'use strict';

const assert = require('node:assert/strict');
const {
  evaluate,
  exitCode,
  frames,
  index,
  launch,
  line,
  locals,
  scope,
  stopped,
  topFrame,
  variables,
  withClient,
} = require('./support');

/** Launches `name` with one breakpoint at `#BP`, waits for the stop, gives its thread and top frame. */
async function stopAtBp(client, name) {
  await launch(client, name, { breakpoints: [{ line: line(name, 'BP') }] });
  const stop = await stopped(client, 'breakpoint');
  const frame = await topFrame(client, stop.threadId);
  assert.equal(frame.line, line(name, 'BP'));
  return { threadId: stop.threadId, frame };
}

describe('variables', function () {
  const ctx = withClient();

  it('lists locals with their values and types, an expandable array, and globals', async function () {
    const { client } = ctx;
    const { threadId, frame } = await stopAtBp(client, 'locals.vit');
    const vars = await locals(client, frame.id);
    assert.deepEqual(Object.keys(vars).sort(), ['count', 'items', 'label', 'ok', 'ratio']);
    assert.equal(vars.count.value, '42');
    assert.equal(vars.ratio.value, '2.5');
    assert.equal(vars.label.value, '"vitte"', 'strings are shown quoted');
    assert.equal(vars.ok.value, 'true');
    const types = { count: 'int', ratio: 'float', label: 'string', ok: 'bool' };
    for (const [variable, type] of Object.entries(types)) {
      if (vars[variable].type !== undefined) {
        assert.equal(vars[variable].type, type, `type of ${variable}`);
      }
      assert.equal(vars[variable].variablesReference, 0, `${variable} has no children`);
    }

    assert.ok(vars.items.variablesReference > 0, 'an array can be expanded');
    const items = await variables(client, vars.items.variablesReference);
    assert.deepEqual(
      Object.entries(items).map(([name, variable]) => [index(name), variable.value]),
      [
        [0, '10'],
        [1, '20'],
        [2, '30'],
      ],
    );

    const globals = await scope(client, frame.id, 'Globals');
    const globalVars = await variables(client, globals.variablesReference);
    assert.equal(globalVars.runs?.value, '7', `globals were ${JSON.stringify(Object.keys(globalVars))}`);

    await client.continueRequest({ threadId });
    assert.equal(await exitCode(client), 0);
  });

  it('expands a form inside a form', async function () {
    const { client } = ctx;
    const { frame } = await stopAtBp(client, 'nested_forms.vit');
    const vars = await locals(client, frame.id);
    assert.ok(vars.seg, `locals were ${JSON.stringify(Object.keys(vars))}`);
    assert.ok(vars.seg.variablesReference > 0, 'a form can be expanded');

    const seg = await variables(client, vars.seg.variablesReference);
    assert.deepEqual(Object.keys(seg), ['start', 'end', 'name'], 'fields in declaration order');
    assert.equal(seg.name.value, '"diagonal"');
    assert.ok(seg.end.variablesReference > 0, 'the inner form can be expanded too');

    const end = await variables(client, seg.end.variablesReference);
    assert.deepEqual(
      Object.entries(end).map(([name, variable]) => [name, variable.value]),
      [
        ['x', '30'],
        ['y', '40'],
      ],
    );
    const start = await variables(client, seg.start.variablesReference);
    assert.equal(start.x.value, '1');
    assert.equal(start.y.value, '2');
  });

  it('pages a 1000-element array with start and count', async function () {
    const { client } = ctx;
    const { frame } = await stopAtBp(client, 'paged_array.vit');
    const big = (await locals(client, frame.id)).big;
    assert.ok(big, 'big is a local');
    assert.ok(big.variablesReference > 0);
    assert.equal(big.indexedVariables, 1000, 'the array reports its length as indexedVariables');

    const page = async (start, count) => {
      const response = await client.variablesRequest({
        variablesReference: big.variablesReference,
        filter: 'indexed',
        start,
        count,
      });
      return response.body.variables.map((variable) => [index(variable.name), variable.value]);
    };
    const expected = (start, count) =>
      Array.from({ length: count }, (_, k) => [start + k, String((start + k) * 3)]);

    assert.deepEqual(await page(500, 10), expected(500, 10));
    assert.deepEqual(await page(0, 3), expected(0, 3));
    assert.deepEqual(await page(995, 5), expected(995, 5), 'the last page');
  });

  it('sets a variable: evaluate sees the new value, and so does the program', async function () {
    const { client } = ctx;
    const { threadId, frame } = await stopAtBp(client, 'set_variable.vit');
    const localsScope = await scope(client, frame.id, 'Locals');
    const response = await client.setVariableRequest({
      variablesReference: localsScope.variablesReference,
      name: 'counter',
      value: '99',
    });
    assert.equal(response.body.value, '99');
    assert.equal((await locals(client, frame.id)).counter.value, '99');
    assert.equal(await evaluate(client, 'counter', frame.id), '99');
    assert.equal(await evaluate(client, 'counter + 1', frame.id), '100');

    await client.continueRequest({ threadId });
    assert.equal(await exitCode(client), 0);
    await client.waitForOutput('198\n');
    assert.equal(client.output('stdout'), '99\n198\n');
  });

  it('evaluates arithmetic over the locals of the frame it is asked for', async function () {
    const { client } = ctx;
    const { threadId } = await stopAtBp(client, 'evaluate.vit');
    const stack = await frames(client, threadId);
    assert.ok(stack.length >= 2, 'scale is called from main');
    const [scale, main] = stack;
    assert.match(scale.name, /\bscale\b/);
    assert.match(main.name, /\bmain\b/);

    assert.equal(await evaluate(client, 'product + value', scale.id), '49');
    assert.equal(await evaluate(client, 'value * factor - 2', scale.id), '40');
    assert.equal(await evaluate(client, 'base * 3 + offset', main.id), '121');
    assert.equal(await evaluate(client, '(base + 1) * 2', main.id), '16');
    await assert.rejects(evaluate(client, 'offset', scale.id), 'main\'s local is not visible in scale');

    await client.continueRequest({ threadId });
    assert.equal(await exitCode(client), 0);
    await client.waitForOutput('142\n');
  });
});
