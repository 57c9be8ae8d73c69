" sslc recipes: *.ssl files are the `ssl` filetype.
autocmd BufRead,BufNewFile *.ssl setfiletype ssl
