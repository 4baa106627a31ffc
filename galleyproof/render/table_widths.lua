--[[
Column widths for tables printed by cells (inside Quarto's `.cell-output-display` div), from what a
reader sees. A cell's table reaches pandoc as a pipe table, and pandoc sizes a wide pipe table's
columns by the length of each column's Markdown source, where citation markup (`[@a; @b; @c]`) is
far longer than what it prints: a status column then shrinks until Typst hyphenates "un-veri-fied".
Runs after citeproc, so a citation counts as the text it prints; each column gets its longest cell,
capped so that one long column cannot starve the others. Narrow tables keep automatic widths.
]]

local WIDEST = 40  -- characters: beyond this a cell wraps anyway
local LINE = 72    -- pandoc's own threshold for giving a pipe table relative widths
-- Characters of table text across the text width (Typst, 11pt, 1.25in margins, with room to spare):
-- each column first gets its longest word plus the cell's padding, so no word runs past its cell or
-- the margin (table text is not hyphenated, see render/look/article-conf.typst); the rest is shared
-- as before.
local ACROSS = 72

local function cell_length(cell)
  return utf8.len(pandoc.utils.stringify(cell.contents)) or 0
end

local function word_length(cell)
  local longest = 0
  for word in pandoc.utils.stringify(cell.contents):gmatch("%S+") do
    longest = math.max(longest, utf8.len(word) or 0)
  end
  return longest + 3
end

local function size(tbl)
  local widest, capped, words = {}, {}, {}
  local function measure(rows)
    for _, row in ipairs(rows) do
      for i, cell in ipairs(row.cells) do
        local n = cell_length(cell)
        widest[i] = math.max(widest[i] or 1, n)
        capped[i] = math.max(capped[i] or 1, math.min(n, WIDEST))
        words[i] = math.max(words[i] or 0, word_length(cell))
      end
    end
  end
  measure(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do
    measure(body.body)
  end
  local line, total, floor = 0, 0, 0
  for i = 1, #tbl.colspecs do
    line = line + (widest[i] or 1) + 3
    total = total + (capped[i] or 1)
    floor = floor + (words[i] or 0) / ACROSS
  end
  if floor >= 1 then floor = 0 end  -- the words cannot all fit: share by content alone
  for i, spec in ipairs(tbl.colspecs) do
    local width = nil  -- pandoc.ColWidthDefault: the writer decides
    if line > LINE then
      local own = floor > 0 and (words[i] or 0) / ACROSS or 0
      width = own + (1 - floor) * (capped[i] or 1) / total
    end
    tbl.colspecs[i] = {spec[1], width}
  end
  return tbl
end

function Div(div)
  if div.classes:includes("cell-output-display") then
    return div:walk({Table = size})
  end
end
