--- Vitte in Neovim 0.11 and later: the language server `vitte-lsp` (diagnostics, hover, navigation,
--- completion, rename, formatting, semantic highlighting, inlay hints), the debug adapter `vitte-dap`
--- for nvim-dap, and `:VitteRun` / `:VitteDebug`, which the "▶ Run | Debug" code lenses above `main`
--- also run.
---
---   require('vitte').setup()                                   -- programs from PATH
---   require('vitte').setup({ lsp_cmd = { '/path/to/vitte-lsp' }, dap_cmd = '/path/to/vitte-dap' })
---
--- `.vit` files get the filetype `vitte`. The folder holding this file's `lua/` should be on
--- 'runtimepath' (a plugin manager does that), so that `ftplugin/vitte.lua` sets comments and
--- indentation for them.

local M = {}

--- The options of `setup`, with their defaults.
M.defaults = {
  --- The `vitte` program, for `:VitteRun` and the "▶ Run" code lens.
  vitte = 'vitte',
  --- The command that starts the language server.
  lsp_cmd = { 'vitte-lsp' },
  --- The debug adapter program, started with `--stdio` by nvim-dap.
  dap_cmd = 'vitte-dap',
  --- Files that mark the root folder of a project.
  root_markers = { '.git' },
  --- Show the "▶ Run | Debug" code lenses (refreshed on open, save and leaving insert mode).
  codelens = true,
}

--- The name of the language server's configuration (`:checkhealth vim.lsp` lists it).
M.server_name = 'vitte_lsp'

local options = vim.deepcopy(M.defaults)

--- The launch configuration that debugs `file` (for nvim-dap).
function M.launch_configuration(file)
  return {
    type = 'vitte',
    request = 'launch',
    name = 'Debug ' .. vim.fs.basename(file),
    program = file,
    cwd = vim.fn.getcwd(),
    stopOnEntry = false,
  }
end

--- The file a command is for: its argument, else the current buffer's file; nil after an error.
local function command_file(argument, verb)
  local file = (argument and argument ~= '') and argument or vim.api.nvim_buf_get_name(0)
  if file == '' then
    vim.notify(('Vitte: open a .vit file to %s it'):format(verb), vim.log.levels.ERROR)
    return nil
  end
  return vim.fn.fnamemodify(file, ':p')
end

--- Runs `vitte run FILE` in a terminal window below (the current buffer's file by default).
function M.run(file)
  file = command_file(file, 'run')
  if not file then
    return
  end
  if vim.fn.executable(options.vitte) ~= 1 then
    vim.notify(
      ('Vitte: %q is not an executable program; install vitte or pass its path as `vitte` to setup()'):format(
        options.vitte
      ),
      vim.log.levels.ERROR
    )
    return
  end
  if vim.bo.modified and vim.fn.fnamemodify(vim.api.nvim_buf_get_name(0), ':p') == file then
    vim.cmd.write()
  end
  vim.cmd('botright new')
  vim.fn.jobstart({ options.vitte, 'run', file }, { term = true, cwd = vim.fs.dirname(file) })
end

--- Debugs `file` (the current buffer's file by default) with nvim-dap.
function M.debug(file)
  file = command_file(file, 'debug')
  if not file then
    return
  end
  local ok, dap = pcall(require, 'dap')
  if not ok then
    vim.notify('Vitte: debugging needs nvim-dap (https://github.com/mfussenegger/nvim-dap)', vim.log.levels.ERROR)
    return
  end
  dap.run(M.launch_configuration(file))
end

--- Configures and enables the language server (`vim.lsp.config` and `vim.lsp.enable`).
function M.setup_lsp()
  if vim.fn.executable(options.lsp_cmd[1]) ~= 1 then
    vim.notify(
      ('Vitte: %q is not an executable program; install vitte-lsp or pass its path in `lsp_cmd` to setup()'):format(
        options.lsp_cmd[1]
      ),
      vim.log.levels.WARN
    )
  end
  vim.lsp.config(M.server_name, {
    cmd = options.lsp_cmd,
    filetypes = { 'vitte' },
    root_markers = options.root_markers,
  })
  vim.lsp.enable(M.server_name)
  -- The commands of the code lenses, with the document's URI as argument.
  vim.lsp.commands['vitte.runFile'] = function(command)
    M.run(vim.uri_to_fname(command.arguments[1]))
  end
  vim.lsp.commands['vitte.debugFile'] = function(command)
    M.debug(vim.uri_to_fname(command.arguments[1]))
  end
  if options.codelens then
    local group = vim.api.nvim_create_augroup('vitte_codelens', { clear = true })
    vim.api.nvim_create_autocmd('LspAttach', {
      group = group,
      callback = function(event)
        local client = vim.lsp.get_client_by_id(event.data.client_id)
        if not client or client.name ~= M.server_name then
          return
        end
        vim.lsp.codelens.refresh({ bufnr = event.buf })
        vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
          group = group,
          buffer = event.buf,
          callback = function()
            vim.lsp.codelens.refresh({ bufnr = event.buf })
          end,
        })
      end,
    })
  end
end

--- Registers the `vitte` adapter and configurations with nvim-dap, when it is installed; gives
--- whether it was. Call it again after loading nvim-dap lazily. Configurations already defined
--- for `vitte` are kept.
function M.setup_dap()
  local ok, dap = pcall(require, 'dap')
  if not ok then
    return false
  end
  dap.adapters.vitte = { type = 'executable', command = options.dap_cmd, args = { '--stdio' } }
  dap.configurations.vitte = dap.configurations.vitte
    or {
      {
        type = 'vitte',
        request = 'launch',
        name = 'Debug the current file',
        program = '${file}',
        cwd = '${workspaceFolder}',
        stopOnEntry = false,
      },
      {
        type = 'vitte',
        request = 'launch',
        name = 'Debug the current file, stopping on entry',
        program = '${file}',
        cwd = '${workspaceFolder}',
        stopOnEntry = true,
      },
      {
        type = 'vitte',
        request = 'launch',
        name = 'Debug a program with arguments',
        program = function()
          return vim.fn.input('Program: ', vim.fn.expand('%'), 'file')
        end,
        args = function()
          return vim.split(vim.fn.input('Arguments: '), ' ', { trimempty = true })
        end,
        cwd = '${workspaceFolder}',
      },
    }
  return true
end

--- Sets everything up; `opts` overrides some of `M.defaults`.
function M.setup(opts)
  vim.validate('opts', opts, 'table', true)
  options = vim.tbl_extend('force', vim.deepcopy(M.defaults), opts or {})
  vim.validate('lsp_cmd', options.lsp_cmd, 'table')
  vim.validate('dap_cmd', options.dap_cmd, 'string')
  vim.validate('vitte', options.vitte, 'string')
  vim.filetype.add({ extension = { vit = 'vitte' } })
  M.setup_lsp()
  M.setup_dap()
  vim.api.nvim_create_user_command('VitteRun', function(command)
    M.run(command.args)
  end, { nargs = '?', complete = 'file', desc = 'Run a Vitte program (vitte run FILE) in a terminal' })
  vim.api.nvim_create_user_command('VitteDebug', function(command)
    M.debug(command.args)
  end, { nargs = '?', complete = 'file', desc = 'Debug a Vitte program with nvim-dap' })
end

return M
