--[[
Read a cell's HTML table output as Quarto does (https://quarto.org/docs/authoring/tables.html,
"HTML Tables"): Markdown in a `data-qmd` attribute of a span or div is parsed, so a cell can put
citations (`[@key]`) and cross-references in table cells, and both engines format them. Jupyter's
wrapper div and its <style scoped> for DataFrames are dropped.
]]

local function qmd(el)
  local markdown = el.attributes["qmd"]
  if markdown then
    return pandoc.read(markdown, "markdown").blocks
  end
end

function Span(el)
  local blocks = qmd(el)
  if blocks then
    return pandoc.utils.blocks_to_inlines(blocks)
  end
end

function Div(el)
  return qmd(el) or el.content
end

function RawInline(el)
  return {}
end

function RawBlock(el)
  return {}
end
