-- End-to-end test of the Neovim set-up in editors/neovim, in a real Neovim 0.11, headless:
--
--   VITTE=… VITTE_LSP=… VITTE_DAP=… nvim --headless --clean -u NONE -l tests/e2e/editors/neovim.lua
--
-- editors/neovim is put on 'runtimepath' and `require('vitte').setup()` is called with the built
-- programs, as editors/neovim/README.md tells users to. nvim-dap cannot be installed here, so a
-- stand-in `dap` module (a table in package.loaded) records what the set-up gives it. The checks:
-- filetype and buffer settings, diagnostics from the real vitte-lsp, the nvim-dap adapter and
-- configurations (their fields are launch arguments that `vitte-dap --launch-arguments` lists), the
-- "▶ Run" code lens running the program in a terminal, the "Debug" lens and :VitteDebug starting
-- nvim-dap, and a clear message without nvim-dap.

local here = vim.fs.dirname(vim.fs.normalize(vim.fn.fnamemodify(arg[0], ':p')))
local harness = dofile(vim.fs.joinpath(here, '..', 'harness.lua'))
local fail, check, wait_for = harness.fail, harness.check, harness.wait_for

local vitte = harness.program_from_env('VITTE', 'the vitte binary')
local vitte_lsp = harness.program_from_env('VITTE_LSP', 'the vitte-lsp binary')
local vitte_dap = harness.program_from_env('VITTE_DAP', 'the vitte-dap binary')

local root = vim.fs.normalize(vim.fs.joinpath(here, '..', '..', '..'))
local programs = vim.fs.joinpath(here, 'programs')
local server_log = vim.fn.tempname() .. '-vitte-lsp.log'

vim.o.swapfile = false
vim.opt.runtimepath:prepend(vim.fs.joinpath(root, 'editors', 'neovim'))

-- The stand-in for nvim-dap: the tables the set-up fills, and every configuration it runs.
local dap_runs = {}
package.loaded.dap = {
  adapters = {},
  configurations = {},
  run = function(configuration)
    table.insert(dap_runs, configuration)
  end,
}

-- Every publishDiagnostics, counted per URI (wrapping Neovim's own handler, which still runs).
local published = {}
local publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx)
  published[result.uri] = (published[result.uri] or 0) + 1
  return publish(err, result, ctx)
end

-- Messages of vim.notify, to check what the set-up tells the user.
local notified = {}
vim.notify = function(message, level)
  table.insert(notified, { message = message, level = level })
end

require('vitte').setup({
  vitte = vitte,
  lsp_cmd = { vitte_lsp, '--log', server_log },
  dap_cmd = vitte_dap,
})

---------------------------------------------------------------------------------------------------
-- Helpers

local function path_of(name)
  return vim.fs.joinpath(programs, name)
end

--- Opens program `name` and gives its buffer, once vitte-lsp is attached and initialised.
local function open(name)
  vim.cmd.edit(vim.fn.fnameescape(path_of(name)))
  local buf = vim.api.nvim_get_current_buf()
  if vim.bo[buf].filetype ~= 'vitte' then
    fail(('%s opened with filetype %q, not "vitte"'):format(name, vim.bo[buf].filetype))
  end
  wait_for('vitte-lsp to attach to ' .. name, function()
    local client = vim.lsp.get_clients({ bufnr = buf, name = 'vitte_lsp' })[1]
    return client ~= nil and client.initialized
  end)
  return buf
end

--- The launch arguments vitte-dap accepts, by name (from `vitte-dap --launch-arguments`).
local function launch_arguments()
  local result = vim.system({ vitte_dap, '--launch-arguments' }, { text = true }):wait()
  if result.code ~= 0 then
    fail(('vitte-dap --launch-arguments exited with %d: %s'):format(result.code, result.stderr))
  end
  local names = {}
  for _, argument in ipairs(vim.json.decode(result.stdout)) do
    names[argument.name] = argument
  end
  return names
end

--- Runs the code lens titled `title` on the line of the cursor, as `vim.lsp.codelens.run()` does
--- for a user, choosing it among the lenses of that line.
local function run_lens(title)
  local select = vim.ui.select
  local offered = {}
  vim.ui.select = function(items, opts, on_choice)
    for _, item in ipairs(items) do
      local shown = opts.format_item and opts.format_item(item) or tostring(item)
      table.insert(offered, shown)
      if shown:find(title, 1, true) then
        return on_choice(item)
      end
    end
    on_choice(nil)
  end
  local ok, err = pcall(vim.lsp.codelens.run)
  vim.ui.select = select
  if not ok then
    fail('vim.lsp.codelens.run failed: ' .. tostring(err))
  end
  if not vim.tbl_contains(vim.tbl_map(function(shown)
    return shown:find(title, 1, true) ~= nil
  end, offered), true) then
    fail(('no %q among the code lenses of the line: %s'):format(title, vim.inspect(offered)))
  end
end

---------------------------------------------------------------------------------------------------
-- The checks

print(('Neovim %s'):format(tostring(vim.version())))

local hello

check('a .vit file gets filetype vitte, the settings of ftplugin/vitte.lua and vitte-lsp', function()
  hello = open('hello.vit')
  if vim.bo[hello].commentstring ~= '// %s' or vim.bo[hello].shiftwidth ~= 4 or not vim.bo[hello].expandtab then
    fail(('commentstring %q, shiftwidth %d'):format(vim.bo[hello].commentstring, vim.bo[hello].shiftwidth))
  end
end)

if not hello then
  harness.finish('Neovim set-up', server_log)
end

check('diagnostics of vitte-lsp arrive for a program with an error', function()
  local buf = open('type_error.vit')
  wait_for('the diagnostics of type_error.vit', function()
    return #vim.diagnostic.get(buf) > 0
  end)
  local diagnostic = vim.diagnostic.get(buf)[1]
  if diagnostic.lnum ~= 2 or not diagnostic.message:find("cannot apply '+' to int and float", 1, true) then
    fail(('unexpected diagnostic %d:%d %s'):format(diagnostic.lnum + 1, diagnostic.col + 1, diagnostic.message))
  end
  if diagnostic.severity ~= vim.diagnostic.severity.ERROR then
    fail('the diagnostic is not an error')
  end
end)

check('a clean program gets no diagnostics', function()
  vim.cmd.buffer(hello)
  wait_for('the diagnostics of hello.vit', function()
    return (published[vim.uri_from_bufnr(hello)] or 0) > 0
  end)
  local diagnostics = vim.diagnostic.get(hello)
  if #diagnostics ~= 0 then
    fail(('expected none, got %d: %s'):format(#diagnostics, diagnostics[1].message))
  end
end)

check('nvim-dap gets the vitte adapter: vitte-dap --stdio', function()
  local adapter = package.loaded.dap.adapters.vitte
  local expected = { type = 'executable', command = vitte_dap, args = { '--stdio' } }
  if not vim.deep_equal(adapter, expected) then
    fail('adapter is ' .. vim.inspect(adapter))
  end
end)

check('nvim-dap gets vitte configurations made of launch arguments vitte-dap accepts', function()
  local configurations = package.loaded.dap.configurations.vitte
  if type(configurations) ~= 'table' or #configurations < 2 then
    fail('configurations are ' .. vim.inspect(configurations))
  end
  local accepted = launch_arguments()
  if not (accepted.program and accepted.program.required) then
    fail('vitte-dap does not list program as required: ' .. vim.inspect(accepted.program))
  end
  for _, configuration in ipairs(configurations) do
    if configuration.type ~= 'vitte' or configuration.request ~= 'launch' or type(configuration.name) ~= 'string' then
      fail('not a vitte launch configuration: ' .. vim.inspect(configuration))
    end
    if configuration.program == nil then
      fail(('%q has no program'):format(configuration.name))
    end
    for field in pairs(configuration) do
      if field ~= 'type' and field ~= 'request' and field ~= 'name' and not accepted[field] then
        fail(('%q has %s, which vitte-dap does not accept'):format(configuration.name, field))
      end
    end
  end
  if configurations[1].program ~= '${file}' then
    fail('the first configuration does not debug the current file')
  end
end)

check('the code lenses above main are "▶ Run" and "Debug"', function()
  vim.cmd.buffer(hello)
  wait_for('the code lenses of hello.vit', function()
    return #vim.lsp.codelens.get(hello) == 2
  end)
  local commands = {}
  for _, lens in ipairs(vim.lsp.codelens.get(hello)) do
    table.insert(commands, lens.command.command)
  end
  table.sort(commands)
  if not vim.deep_equal(commands, { 'vitte.debugFile', 'vitte.runFile' }) then
    fail('lens commands are ' .. vim.inspect(commands))
  end
end)

check('the "Debug" code lens starts nvim-dap on the file', function()
  vim.cmd.buffer(hello)
  local main_line = vim.lsp.codelens.get(hello)[1].range.start.line
  vim.api.nvim_win_set_cursor(0, { main_line + 1, 0 })
  dap_runs = {}
  run_lens('Debug')
  wait_for('nvim-dap to be asked to run', function()
    return #dap_runs == 1
  end)
  local configuration = dap_runs[1]
  if configuration.type ~= 'vitte' or configuration.program ~= path_of('hello.vit') then
    fail('dap.run got ' .. vim.inspect(configuration))
  end
end)

check('the "▶ Run" code lens runs `vitte run FILE` in a terminal', function()
  vim.cmd.buffer(hello)
  local main_line = vim.lsp.codelens.get(hello)[1].range.start.line
  vim.api.nvim_win_set_cursor(0, { main_line + 1, 0 })
  run_lens('Run')
  local terminal = vim.api.nvim_get_current_buf()
  if vim.bo[terminal].buftype ~= 'terminal' then
    fail('the current buffer is not a terminal')
  end
  wait_for('the program output in the terminal', function()
    local text = table.concat(vim.api.nvim_buf_get_lines(terminal, 0, -1, false), '\n')
    return text:find('hello from the run lens', 1, true) ~= nil
  end)
  vim.cmd('bwipeout!')
end)

check(':VitteDebug debugs the current file', function()
  vim.cmd.buffer(hello)
  dap_runs = {}
  vim.cmd('VitteDebug')
  if #dap_runs ~= 1 or dap_runs[1].program ~= path_of('hello.vit') then
    fail('dap.run got ' .. vim.inspect(dap_runs))
  end
end)

check('without nvim-dap, :VitteDebug says it is needed', function()
  vim.cmd.buffer(hello)
  local stand_in = package.loaded.dap
  package.loaded.dap = nil
  notified = {}
  vim.cmd('VitteDebug')
  package.loaded.dap = stand_in
  local message = notified[1]
  if not message or message.level ~= vim.log.levels.ERROR or not message.message:find('needs nvim-dap', 1, true) then
    fail('notified ' .. vim.inspect(notified))
  end
end)

check('the language server shuts down cleanly', function()
  local client = vim.lsp.get_clients({ name = 'vitte_lsp' })[1]
  local exited = nil
  vim.api.nvim_create_autocmd('LspDetach', {
    callback = function(event)
      if event.data.client_id == client.id then
        exited = true
      end
    end,
  })
  client:stop()
  wait_for('the server to stop', function()
    return exited and client:is_stopped()
  end)
end)

harness.finish('Neovim set-up', server_log)
