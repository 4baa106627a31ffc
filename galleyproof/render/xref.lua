--[[
Quarto-style cross-references for plain pandoc (the embedded engine).

Pandoc reads `@sec-x`, `@fig-x` and `@tbl-x` as citations; Quarto resolves them itself
(https://quarto.org/docs/authoring/cross-references.html). This filter must run before
`--citeproc`: it numbers figures (Figure blocks whose id starts with `fig-`) and tables (ids
starting with `tbl-`) in document order, prefixes their captions ("Figure 1: ..."), and
turns citations of those ids, and of `sec-` heading ids, into links: "Figure 1", "Table 2",
and for a section its own number as written ("Section 2-5-1") or, when the heading carries
no number, its title. `[-@fig-x]` gives the bare number, as in Quarto. Unknown ids become
"?@id", as Quarto prints them, with a warning on stderr.
]]

local targets = {}   -- id -> {kind=, number=, title=}
local counters = { fig = 0, tbl = 0 }
local names = { fig = "Figure", tbl = "Table", sec = "Section" }

local function prefix_of(id)
  return id:match("^(%a+)%-")
end

local function prefix_caption(caption, label)
  local long = caption.long
  if #long == 0 then
    long:insert(pandoc.Plain({ pandoc.Str(label) }))
  else
    local first = long[1]
    if first.content then
      first.content:insert(1, pandoc.Space())
      first.content:insert(1, pandoc.Str(label .. ":"))
    end
  end
  caption.long = long
  return caption
end

local function number_float(el, kind)
  if prefix_of(el.identifier) ~= kind then
    return nil
  end
  counters[kind] = counters[kind] + 1
  local n = tostring(counters[kind])
  targets[el.identifier] = { kind = kind, number = n }
  el.caption = prefix_caption(el.caption, names[kind] .. " " .. n)
  return el
end

local function collect(doc)
  doc.blocks = doc.blocks:walk({
    Header = function(h)
      if prefix_of(h.identifier) == "sec" then
        local text = pandoc.utils.stringify(h.content)
        local number = text:match("^%s*(%d+[%d%.%-]*%d)") or text:match("^%s*(%d+)[%.%-:%s]")
        targets[h.identifier] = { kind = "sec", number = number, title = text }
      end
    end,
    Figure = function(f) return number_float(f, "fig") end,
    Table = function(t) return number_float(t, "tbl") end,
  })
  return doc
end

local function reference(citation)
  local id = citation.id
  local target = targets[id]
  if not target then
    return nil
  end
  local text
  if target.kind == "sec" and not target.number then
    text = target.title
  elseif citation.mode == "SuppressAuthor" then
    text = target.number
  else
    text = names[target.kind] .. " " .. target.number
  end
  return pandoc.Link(pandoc.Inlines(text), "#" .. id)
end

local function resolve(cite)
  local xref_kinds = { sec = true, fig = true, tbl = true }
  for _, c in ipairs(cite.citations) do
    if not xref_kinds[prefix_of(c.id) or ""] then
      return nil  -- an ordinary citation: leave it to citeproc
    end
  end
  local out = pandoc.Inlines({})
  for i, c in ipairs(cite.citations) do
    if i > 1 then
      out:insert(pandoc.Str(i == #cite.citations and " and" or ","))
      out:insert(pandoc.Space())
    end
    local link = reference(c)
    if link then
      out:insert(link)
    else
      pandoc.log.warn("unresolved cross-reference @" .. c.id)
      out:insert(pandoc.Strong({ pandoc.Str("?@" .. c.id) }))
    end
  end
  return out
end

local function typst_setup(doc)
  -- Typst numbers figures itself; the captions already carry our numbers, identical in every format.
  if FORMAT == "typst" then
    doc.blocks:insert(1, pandoc.RawBlock("typst", "#set figure(numbering: none)"))
  end
  return doc
end

return {
  { Pandoc = collect },
  { Cite = resolve },
  { Pandoc = typst_setup },
}
