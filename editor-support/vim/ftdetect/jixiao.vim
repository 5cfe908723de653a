" Filetype detection for jixiao policy files: *.jx opens with filetype=jixiao.
" Install by copying editor-support/vim into ~/.vim (see editor-support/README.md).
autocmd BufRead,BufNewFile *.jx set filetype=jixiao
