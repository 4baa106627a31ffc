--[[
Quarto-style cross-references and blocks for plain pandoc (the embedded engine).

Pandoc reads `@sec-x`, `@fig-x`, `@tbl-x` and `@eq-x` as citations; Quarto resolves them itself
(https://quarto.org/docs/authoring/cross-references.html). This filter must run before `--citeproc`:
- it numbers figures (`fig-` ids), tables (`tbl-`) and display equations written `$$ ... $$ {#eq-x}`
  in document order, prefixes captions ("Figure 1: ..."), and typesets an equation's number beside it;
- in a book with numbered sections (metadata `gp-chapters`), numbers restart in each numbered chapter
  and carry its number ("Figure 2.1"), as Quarto books do;
- it turns citations of those ids, and of `sec-` heading ids, into links ("Figure 1", "Equation 2",
  "Section 2.1", or the heading's own title when it carries no number); `[-@fig-x]` gives the bare
  number. Unknown ids become "?@id", as Quarto prints them (the build reports them with file and line);
- callouts (`::: {.callout-note}` ... https://quarto.org/docs/authoring/callouts.html) become titled
  boxes in HTML, Typst and DOCX; `.content-visible`/`.content-hidden` with `when-format` /
  `unless-format` keep or drop their content per format (https://quarto.org/docs/authoring/conditional.html);
- `fig-alt` becomes the image's alternative text (https://quarto.org/docs/authoring/figures.html).
Prefixes and titles follow Quarto's `crossref:` options (fig-title, fig-prefix, tbl-..., eq-prefix,
sec-prefix).
]]

local targets = {}   -- id -> {kind=, number=, title=}
local counters = { fig = 0, tbl = 0, eq = 0, lst = 0, nte = 0, wrn = 0, tip = 0, imp = 0, cau = 0 }
local chapter = nil  -- the current chapter's number in a book with numbered chapters
local names = { fig = "Figure", tbl = "Table", sec = "Section", eq = "Equation", lst = "Listing", nte = "Note",
  wrn = "Warning",
  tip = "Tip", imp = "Important", cau = "Caution" }
-- Callout cross-reference prefixes (https://quarto.org/docs/authoring/cross-references.html#callouts).
local CALLOUT_PREFIX = { note = "nte", warning = "wrn", tip = "tip", important = "imp", caution = "cau" }
local titles = { fig = "Figure", tbl = "Table", lst = "Listing" }
local number_sections = false
local book_chapters = false
local section_numbers = {}
local heading_shift = 0  -- pandoc applies --shift-heading-level-by after filters

local function prefix_of(id)
  return id:match("^(%a+)%-")
end

local function html_like()
  return FORMAT:match("html") ~= nil
end

local function format_matches(spec)
  for name in tostring(spec):gmatch("[^%s,]+") do
    if FORMAT == name or (name == "html" and html_like()) or (name == "pdf" and FORMAT == "typst")
       or (name == "typst" and FORMAT == "typst") or (name == "docx" and FORMAT == "docx")
       or (name == "jats" and FORMAT:match("jats")) then
      return true
    end
  end
  return false
end

local function read_options(meta)
  local crossref = meta.crossref or {}
  for _, kind in ipairs({ "fig", "tbl", "eq", "sec", "lst" }) do
    if crossref[kind .. "-prefix"] then names[kind] = pandoc.utils.stringify(crossref[kind .. "-prefix"]) end
    if crossref[kind .. "-title"] then titles[kind] = pandoc.utils.stringify(crossref[kind .. "-title"]) end
  end
  number_sections = meta["number-sections"] == true
  heading_shift = tonumber(pandoc.utils.stringify(meta["gp-heading-shift"] or "0")) or 0
  book_chapters = meta["gp-chapters"] == true
end

local function next_number(kind)
  counters[kind] = counters[kind] + 1
  if book_chapters and chapter then
    return chapter .. "." .. counters[kind]
  end
  return tostring(counters[kind])
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
  local n = next_number(kind)
  targets[el.identifier] = { kind = kind, number = n }
  el.caption = prefix_caption(el.caption, titles[kind] .. " " .. n)
  return el
end

local function section_number(h)
  local depth = h.level + heading_shift
  if h.classes:includes("unnumbered") or not number_sections or depth < 1 then
    return nil
  end
  section_numbers[depth] = (section_numbers[depth] or 0) + 1
  for level = depth + 1, 6 do section_numbers[level] = nil end
  local parts = {}
  for level = 1, depth do table.insert(parts, tostring(section_numbers[level] or 0)) end
  return table.concat(parts, ".")
end

local appendix = 0  -- letters for a book's appendices (A, B, ...)
local appendices_started = false  -- set by the `.gp-appendices` marker the engine puts before them

-- In a book's appendices Quarto letters the chapters ("Appendix A — Title", "Figure A.1"); pandoc
-- only numbers, so the headings carry their letters as text and are left unnumbered.
local function appendix_header(h)
  if h.classes:includes("unnumbered") then return nil end
  if h.level == 1 then
    appendix = appendix + 1
    section_numbers = { string.char(64 + appendix) }
  else
    section_numbers[h.level] = (section_numbers[h.level] or 0) + 1
    for level = h.level + 1, 6 do section_numbers[level] = nil end
  end
  local parts = {}
  for level = 1, h.level do table.insert(parts, tostring(section_numbers[level] or 0)) end
  local number = table.concat(parts, ".")
  local label = h.level == 1 and ("Appendix " .. number .. " —") or number
  h.content:insert(1, pandoc.Space())
  h.content:insert(1, pandoc.Str(label))
  h.classes:insert("unnumbered")
  return number
end

local function header(h)
  local numbered
  if appendices_started then
    numbered = number_sections and appendix_header(h) or nil
  else
    numbered = section_number(h)
  end
  if h.level == 1 and book_chapters then
    chapter = numbered  -- nil in an unnumbered chapter: its floats get plain numbers
    for kind in pairs(counters) do counters[kind] = 0 end
  end
  if h.identifier ~= "" then
    local text = pandoc.utils.stringify(h.content)
    local number = numbered or text:match("^%s*(%d+[%d%.%-]*%d)") or text:match("^%s*(%d+)[%.%-:%s]")
    targets[h.identifier] = { kind = "sec", number = number, title = text }
  end
end

-- `$$ ... $$ {#eq-x}` reaches pandoc as [Math, Space, Str "{#eq-x}"] inside a paragraph.
local function equation_block(math, id, n)
  local label = "(" .. n .. ")"
  if FORMAT == "typst" then
    local body = pandoc.write(pandoc.Pandoc({ pandoc.Plain({ pandoc.Math("InlineMath", math.text) }) }), "typst")
    body = body:gsub("%s+$", "")
    return pandoc.RawInline("typst", "#math.equation(block: true, numbering: _ => [" .. label .. "], "
      .. body .. ") <" .. id .. ">")
  end
  return pandoc.Span({ math, pandoc.Space(), pandoc.Str(label) }, pandoc.Attr(id, { "quarto-equation" }))
end

local function equations(para)
  local content = para.content
  local changed = false
  local i = 1
  while i <= #content do
    local el = content[i]
    if el.t == "Math" and el.mathtype == "DisplayMath" then
      local j = i + 1
      if content[j] and content[j].t == "Space" then j = j + 1 end
      local attr = content[j]
      local id = attr and attr.t == "Str" and attr.text:match("^{#(eq%-[^}%s]+)}$")
      if id then
        local n = next_number("eq")
        targets[id] = { kind = "eq", number = n }
        content[i] = equation_block(el, id, n)
        for _ = i + 1, j do content:remove(i + 1) end
        changed = true
      end
    end
    i = i + 1
  end
  if changed then
    para.content = content
    return para
  end
end

-- `::: {#fig-x fig-cap="..."}` (or with the caption as the div's last paragraph) is a figure in Quarto.
local function div_figure(div)
  local kind = prefix_of(div.identifier)
  if kind ~= "fig" and kind ~= "tbl" then return nil end
  local content = div.content
  local caption
  if div.attributes[kind .. "-cap"] then
    caption = pandoc.read(div.attributes[kind .. "-cap"], "markdown").blocks
  elseif #content > 1 and content[#content].t == "Para" then
    caption = pandoc.Blocks({ content[#content] })
    content = pandoc.Blocks({ table.unpack(content, 1, #content - 1) })
  else
    caption = pandoc.Blocks({})
  end
  if kind == "tbl" then
    -- A table div: the caption belongs to the table inside, numbered by the Table handler.
    for i, block in ipairs(content) do
      if block.t == "Table" then
        block.identifier = div.identifier
        if #caption > 0 then block.caption = { long = caption, short = nil } end
        content[i] = block
        return content
      end
    end
    return nil
  end
  return pandoc.Figure(content, { long = caption }, pandoc.Attr(div.identifier, div.classes))
end

local function numbered_callout(div)
  for _, class in ipairs(div.classes) do
    local kind = class:match("^callout%-(%a+)$")
    local prefix = kind and CALLOUT_PREFIX[kind]
    if prefix and prefix_of(div.identifier) == prefix then
      local n = next_number(prefix)
      targets[div.identifier] = { kind = prefix, number = n }
      local title = div.attributes["title"]
      local blocks = div.content
      if not title and blocks[1] and blocks[1].t == "Header" then
        title = pandoc.utils.stringify(blocks[1].content)
        div.content = pandoc.Blocks({ table.unpack(blocks, 2) })
      end
      div.attributes["title"] = names[prefix] .. " " .. n .. (title and (": " .. title) or "")
      return div
    end
  end
end

-- A code block `{#lst-x lst-cap="..."}` (or a cell's `lst-label`/`lst-cap`) is a numbered listing.
local function listing(block)
  if prefix_of(block.identifier) ~= "lst" then return nil end
  local n = next_number("lst")
  local id = block.identifier
  targets[id] = { kind = "lst", number = n }
  local caption = pandoc.Inlines({ pandoc.Str(titles.lst .. " " .. n .. ":") })
  if block.attributes["lst-cap"] then
    caption:insert(pandoc.Space())
    caption:extend(pandoc.utils.blocks_to_inlines(pandoc.read(block.attributes["lst-cap"], "markdown").blocks))
  end
  block.identifier = ""
  block.attributes["lst-cap"] = nil
  return pandoc.Div({ pandoc.Para(caption), block }, pandoc.Attr(id, { "listing" }))
end

local function collect(doc)
  read_options(doc.meta)
  doc.blocks = doc.blocks:walk({
    traverse = "topdown",
    Header = function(h)
      header(h)
      return h
    end,
    Div = function(div)
      if div.classes:includes("gp-appendices") then
        appendices_started = true
        return pandoc.Blocks({})
      end
      return numbered_callout(div)
    end,
    CodeBlock = listing,
    Figure = function(f) return number_float(f, "fig") end,
    Table = function(t) return number_float(t, "tbl") end,
    Para = equations,
    Plain = equations,
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

local XREF = { sec = true, fig = true, tbl = true, eq = true, lst = true, nte = true, wrn = true, tip = true, imp = true,
  cau = true }

local function resolve(cite)
  for _, c in ipairs(cite.citations) do
    if not XREF[prefix_of(c.id) or ""] then
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

-- Callouts ------------------------------------------------------------------------------------------

local CALLOUTS = { note = "Note", tip = "Tip", warning = "Warning", important = "Important", caution = "Caution" }

local function callout_kind(div)
  for _, class in ipairs(div.classes) do
    local kind = class:match("^callout%-(%a+)$")
    if kind and CALLOUTS[kind] then return kind end
  end
  return div.classes:includes("callout") and "note" or nil
end

local function callout_title(div, kind)
  local title = div.attributes["title"]
  local blocks = div.content
  if not title and blocks[1] and blocks[1].t == "Header" then
    title = pandoc.utils.stringify(blocks[1].content)
    blocks = pandoc.Blocks({ table.unpack(blocks, 2) })
  end
  return title or CALLOUTS[kind], blocks
end

local function typst_string(text)
  return '"' .. text:gsub("\\", "\\\\"):gsub('"', '\\"') .. '"'
end

local function callout(div)
  local kind = callout_kind(div)
  if not kind then return nil end
  local title, blocks = callout_title(div, kind)
  if html_like() then
    local head = pandoc.Div({ pandoc.Plain({ pandoc.Strong({ pandoc.Str(title) }) }) },
      pandoc.Attr("", { "callout-header" }))
    local body = pandoc.Div(blocks, pandoc.Attr("", { "callout-body" }))
    return pandoc.Div({ head, body }, pandoc.Attr(div.identifier, { "callout", "callout-" .. kind }))
  elseif FORMAT == "typst" then
    local out = pandoc.Blocks({ pandoc.RawBlock("typst",
      "#block(width: 100%, inset: 8pt, radius: 2pt, stroke: 0.5pt + luma(140), fill: luma(245))[\n"
      .. "#text(weight: \"bold\")[#" .. typst_string(title) .. "]\n") })
    out:extend(blocks)
    out:insert(pandoc.RawBlock("typst", "]"))
    return out
  elseif FORMAT == "docx" then
    -- A one-cell table is the box Word readers know; Quarto's DOCX callouts are tables too.
    local content = pandoc.Blocks({ pandoc.Para({ pandoc.Strong({ pandoc.Str(title) }) }) })
    content:extend(blocks)
    local cell = pandoc.Cell(content)
    local tbl = pandoc.Table({ long = {}, short = {} }, { { pandoc.AlignDefault, 1.0 } },
      pandoc.TableHead({}), { { attr = pandoc.Attr(), body = { pandoc.Row({ cell }) }, head = {},
        row_head_columns = 0 } }, pandoc.TableFoot({}))
    return tbl
  end
  local out = pandoc.Blocks({ pandoc.Para({ pandoc.Strong({ pandoc.Str(title .. ":") }) }) })
  out:extend(blocks)
  return out
end

local function conditional(div)
  local visible = div.classes:includes("content-visible")
  local hidden = div.classes:includes("content-hidden")
  if not visible and not hidden then return nil end
  local when, unless = div.attributes["when-format"], div.attributes["unless-format"]
  local show
  if when then
    show = format_matches(when)
  elseif unless then
    show = not format_matches(unless)
  else
    show = true
  end
  if hidden then show = not show end
  return show and div.content or pandoc.Blocks({})
end

local function alt_text(img)
  local alt = img.attributes["fig-alt"]
  if alt then
    img.attributes["fig-alt"] = nil
    img.attributes["alt"] = alt
    if FORMAT ~= "html" and not html_like() then
      img.caption = pandoc.Inlines({ pandoc.Str(alt) })
    end
    return img
  end
end

local function figure_alt(fig)
  -- Writers take a figure image's description from the caption unless it has its own `alt`.
  return fig:walk({ Image = alt_text })
end

-- Typst resolves a relative image path against the .typ file (in the work directory), and a path
-- starting with "/" against the project root, where the author's images are.
-- pandoc's Typst writer drops an image's alternative text; Typst's image() takes it as `alt`.
local function typst_image(img)
  if FORMAT ~= "typst" then return nil end
  if not (img.src:match("^%a[%w+.-]*:") or img.src:sub(1, 1) == "/") then
    local here = io.open(img.src, "r")
    if here then
      here:close()
    else
      img.src = "/" .. img.src
    end
  end
  local alt = img.attributes["alt"]
  if not alt then return img end
  local width = img.attributes["width"]
  local size = (width and width:match("^[%d.]+%%$")) and (", width: " .. width) or ""
  return pandoc.RawInline("typst", "#box(image(" .. typst_string(img.src) .. size .. ", alt: "
    .. typst_string(alt) .. "))")
end

local function typst_setup(doc)
  -- Typst numbers figures itself; the captions already carry our numbers, identical in every format.
  if FORMAT == "typst" then
    doc.blocks:insert(1, pandoc.RawBlock("typst", "#set figure(numbering: none)"))
  end
  doc.meta["gp-chapters"] = nil
  doc.meta["gp-heading-shift"] = nil
  return doc
end

return {
  { Div = conditional },
  { Div = div_figure },
  { Pandoc = collect },
  { Cite = resolve },
  { Div = callout },
  { Figure = figure_alt, Image = alt_text },
  { Image = typst_image },
  { Pandoc = typst_setup },
}
