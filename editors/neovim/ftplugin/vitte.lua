-- Buffer settings for Vitte source files: comments (`//`, `///`, `/* */`) and four-space indentation.
vim.bo.commentstring = '// %s'
vim.bo.comments = 's1:/*,mb:*,ex:*/,:///,://'
vim.bo.shiftwidth = 4
vim.bo.softtabstop = 4
vim.bo.expandtab = true
vim.bo.smartindent = true
vim.b.undo_ftplugin = (vim.b.undo_ftplugin or '')
  .. '\n setlocal commentstring< comments< shiftwidth< softtabstop< expandtab< smartindent<'
