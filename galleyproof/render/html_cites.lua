-- `<span class="citation" data-cites="a b">` read from a cell's HTML output becomes a pandoc
-- citation, the inverse of what pandoc's HTML writer emits, so tables can cite and citeproc formats them.
function Span(el)
  local cites = el.attributes["cites"]
  if el.classes:includes("citation") and cites then
    local citations = {}
    for id in cites:gmatch("[^%s]+") do
      table.insert(citations, pandoc.Citation(id, "NormalCitation"))
    end
    return pandoc.Cite({}, citations)
  end
end

-- Jupyter wraps tables in a <div>; unwrapped, a caption line can follow the table directly.
function Div(el)
  return el.content
end

-- Jupyter's <style scoped> for DataFrames means nothing outside a notebook.
function RawInline(el)
  return {}
end

function RawBlock(el)
  return {}
end
