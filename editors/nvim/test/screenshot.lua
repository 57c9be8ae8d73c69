-- Sets the scene of docs/editor-neovim.png (scripts/editor-screenshot.sh): the hover on `z1` and
-- the planted error's diagnostic in view.
vim.o.termguicolors = true
vim.cmd('colorscheme default')
vim.o.number = true
vim.cmd('hi NormalFloat guibg=#3a3d41 guifg=#e8e8e8')
vim.o.signcolumn = 'yes'
vim.defer_fn(function()
  vim.api.nvim_win_set_cursor(0, {14, 4})
  vim.lsp.buf.hover()
end, 2500)
