" Highlighting of sslc recipes (`.ssl`). The keywords are the grammar's (grammar/ssl.pest);
" a test checks that the lists agree.
if exists('b:current_syntax')
  finish
endif

syntax keyword sslKeyword data view mask network branch let loss weight optimizer train job
syntax keyword sslBoolean true false
syntax match sslComment "#.*$" contains=@Spell
syntax region sslString start=+"+ skip=+\\\\\|\\"+ end=+"+ oneline
syntax match sslNumber "\<\d[0-9_]*\(\.\d[0-9_]*\)\=\([eE][+-]\=\d[0-9_]*\)\=\>"
syntax match sslCall "\<\h\w*\ze\s*("
syntax match sslArgument "\<\h\w*\ze\s*:"
syntax match sslMember "\.\zs\h\w*"
syntax match sslOperator "|>\|[-+*/=]"

highlight default link sslKeyword Keyword
highlight default link sslBoolean Boolean
highlight default link sslComment Comment
highlight default link sslString String
highlight default link sslNumber Number
highlight default link sslCall Function
highlight default link sslArgument Identifier
highlight default link sslMember Identifier
highlight default link sslOperator Operator

let b:current_syntax = 'ssl'
