" Vim syntax file for jixiao policies (*.jx): comments, strings, numbers with units, intervals,
" keywords, built-in functions and operators. Keep the keyword lists in step with
" editor-support/keywords.txt (tests/unit/dsl/keywords_test.cpp checks every keyword is here).
scriptencoding utf-8

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syntax case match
" Letters of every script are word characters (Vim treats CJK as such), so `policy总分` and
" `总分policy` are single names, not a keyword glued to a name.
syntax iskeyword @,48-57,_,192-255

" ---- comments and strings ----
syntax keyword jixiaoTodo contained TODO FIXME XXX NOTE
syntax match jixiaoComment "#.*$" contains=jixiaoTodo,@Spell
" A string stays on one line; its only escapes are \" \\ \n.
syntax match jixiaoBadEscape contained "\\."
syntax match jixiaoEscape contained "\\[\"\\n]"
syntax region jixiaoString start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ oneline contains=jixiaoEscape,jixiaoBadEscape,@Spell

" ---- keywords ----
syntax keyword jixiaoDeclaration policy subject input param set let indicator deduct bonus
syntax keyword jixiaoDeclaration veto grade alert fund track output precision
syntax keyword jixiaoDeclaration extends import from override remove add segment weight period rollup only
syntax keyword jixiaoKeyword optional missing zero peer_average reweight
syntax keyword jixiaoConditional if then else
syntax keyword jixiaoLogical and or not
syntax keyword jixiaoMembership in any_in all_in
syntax keyword jixiaoType score number percent money text bool one_of list
syntax keyword jixiaoBoolean true false
syntax keyword jixiaoInfinity inf
syntax keyword jixiaoKeyword version key deductions bonuses per when reason at most down of
syntax keyword jixiaoKeyword deadline days workdays pool split by equally among top proportional
syntax keyword jixiaoKeyword to rounding fen ties asc desc coef bands all eligible rounded up
" `max` and `count` are also built-in functions; as matches (not keywords) a call below wins.
syntax match jixiaoKeyword "\k\@<!max\k\@!"
syntax match jixiaoType "\k\@<!count\k\@!"
" `size` is also a built-in function (`size(列表)`) and, after a list type, its number of items.
syntax match jixiaoType "\k\@<!size\k\@!"

" Chinese keywords (the same rows of keywords.def, spelled in Chinese). A keyword is a whole
" word: `扣分投诉` is a name, `扣分 投诉` a keyword and a name.
syntax keyword jixiaoDeclaration 方案 对象 输入 参数 集合 令 指标 扣分 加分 否决 等级 预警 资金 分项 输出 精度 基于 引入 来自 覆盖 删除 增加 分类 权重 期间 汇总 仅在
syntax keyword jixiaoKeyword 可缺 缺项 计零 计均值 不计 版本 主键 扣分合计 加分合计 每 当 理由 最高 降 依据 期限 天 工作日 总额 分配 按 平均 前 占全部 占符合条件 向上取整 向下取整 项数 正比于 精确到分 同分 升序 降序 系数 分段 最多
syntax keyword jixiaoConditional 如果 则 否则
syntax keyword jixiaoLogical 且 或 非
syntax keyword jixiaoMembership 属于 不属于 任一属于 全部属于
syntax keyword jixiaoType 分数 数值 百分比 金额 文本 是否 选项 列表 计数
syntax keyword jixiaoBoolean 真 假
syntax keyword jixiaoInfinity 无穷

" ---- names ----
" The name a declaration introduces (a veto's `grade D` / `alert 红` effects name none).
syntax match jixiaoName "\%(\k\@<!\%(indicator\|veto\|track\|param\|set\|let\|deduct\|bonus\|subject\)\s\+\)\@<=\k\+"
syntax match jixiaoName "\%(\k\@<!\%(grade\|alert\)\s\+\)\@<=\k\+\ze\s\+of\k\@!"
syntax match jixiaoName "\%(\k\@<!fund\s\+\)\@<=\k\+\ze\s\+pool\k\@!"
" Built-in functions (not keywords) followed by `(`, and named arguments with their values.
syntax match jixiaoFunction "\k\@<!\%(min\|max\|clamp\|abs\|round\|floor\|ceil\|sum\|avg\|count_in\|count\|ratio\|interpolate\|shortfall\|excess\|size\)\ze\s*("
syntax match jixiaoArgName "\k\@<!\%(target\|cap\|better\|partial\|step\)\ze\s*:"
syntax match jixiaoArgValue "\%(\k\@<!\%(target\|cap\|better\|partial\|step\)\s*:\s*\)\@<=\%(higher\|lower\|prorata\|floor\|ceil\)\k\@!\%(\s*(\)\@!"

" ---- numbers, units, intervals ----
" number := digits [ '.' digits ] [ '%' | '分' | '元' | '万元' | '亿元' ]
syntax match jixiaoNumber "\k\@<!\d\+\%(\.\d\+\)\=" nextgroup=jixiaoUnit
syntax match jixiaoUnit contained "%\|\%(万元\|亿元\|分\|元\)\k\@!"
" deadline units after a count: 3 天, 3 日, 5 个工作日, 5 工作日 (days/workdays are keywords)
syntax match jixiaoDeadlineUnit "\%(\d\s*\)\@<=\%(个工作日\|工作日\|天\|日\)\k\@!"
syntax match jixiaoInfinity "∞"
" [90, 100]  [75, 90)  (-inf, 0]  [0, ∞)
syntax match jixiaoIntervalBracket contained "[][()]"
syntax match jixiaoInterval "\%(\[\|\k\@<!(\)\s*-\=\s*\%(inf\k\@!\|∞\|\d\+\%(\.\d\+\)\=\%(%\|\%(万元\|亿元\|分\|元\)\k\@!\)\=\)\s*,\s*-\=\s*\%(inf\k\@!\|∞\|\d\+\%(\.\d\+\)\=\%(%\|\%(万元\|亿元\|分\|元\)\k\@!\)\=\)\s*[])]"
      \ contains=jixiaoIntervalBracket,jixiaoNumber,jixiaoInfinity,jixiaoOperator

" ---- operators ----
syntax match jixiaoOperator "->\|\.\.\|==\|!=\|<=\|>=\|[≠≤≥<>=+*/×÷-]"
" Full-width punctuation is an error outside text and comments: use the half-width (半角) mark.
syntax match jixiaoFullWidth "[\uff01-\uff5e\u3000-\u3002\u201c\u201d\u2018\u2019\u3010\u3011\u300a\u300b\u2014\u2026]"

highlight default link jixiaoComment Comment
highlight default link jixiaoTodo Todo
highlight default link jixiaoString String
highlight default link jixiaoEscape SpecialChar
highlight default link jixiaoBadEscape Error
highlight default link jixiaoDeclaration Statement
highlight default link jixiaoConditional Conditional
highlight default link jixiaoLogical Operator
highlight default link jixiaoMembership Operator
highlight default link jixiaoType Type
highlight default link jixiaoBoolean Boolean
highlight default link jixiaoInfinity Constant
highlight default link jixiaoKeyword Keyword
highlight default link jixiaoName Identifier
highlight default link jixiaoFunction Function
highlight default link jixiaoArgName Identifier
highlight default link jixiaoArgValue Constant
highlight default link jixiaoNumber Number
highlight default link jixiaoUnit Special
highlight default link jixiaoDeadlineUnit Special
highlight default link jixiaoIntervalBracket Delimiter
highlight default link jixiaoOperator Operator
highlight default link jixiaoFullWidth Error

let b:current_syntax = 'jixiao'

let &cpo = s:cpo_save
unlet s:cpo_save
