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

local function cell_length(cell)
  return utf8.len(pandoc.utils.stringify(cell.contents)) or 0
end

local function size(tbl)
  local widest, capped = {}, {}
  local function measure(rows)
    for _, row in ipairs(rows) do
      for i, cell in ipairs(row.cells) do
        local n = cell_length(cell)
        widest[i] = math.max(widest[i] or 1, n)
        capped[i] = math.max(capped[i] or 1, math.min(n, WIDEST))
      end
    end
  end
  measure(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do
    measure(body.body)
  end
  local line, total = 0, 0
  for i = 1, #tbl.colspecs do
    line = line + (widest[i] or 1) + 3
    total = total + (capped[i] or 1)
  end
  for i, spec in ipairs(tbl.colspecs) do
    local width = nil  -- pandoc.ColWidthDefault: the writer decides
    if line > LINE then
      width = (capped[i] or 1) / total
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
