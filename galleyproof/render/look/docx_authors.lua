--[[
The author block of a DOCX. pandoc's DOCX writer prints each `author` as a bare line (and writes the
names into the document's core properties); affiliations, ORCID and e-mail would be lost. From
Quarto's `by-author` view (galleyproof/render/look/authors.py) this adds, at the top of the body, one
"Affiliation" paragraph per author (name: affiliations, ORCID, e-mail, corresponding author) and
moves the abstract and keywords after it, so the front reads: title, authors, date, author
information, abstract, keywords, text. Styles are the reference document's "Abstract Title" and
"Abstract", and a new "Affiliation" paragraph style.
]]

local stringify = pandoc.utils.stringify

local function list(value)
  if value == nil then return {} end
  if pandoc.utils.type(value) == "List" then return value end
  return {value}
end

local function styled(style, blocks)
  return pandoc.Div(blocks, {["custom-style"] = style})
end

local function author_line(author)
  local line = pandoc.List({pandoc.Strong(stringify(author.name.literal))})
  local places = pandoc.List()
  for _, affiliation in ipairs(list(author.affiliations)) do
    places:insert(stringify(affiliation.display))
  end
  if #places > 0 then line:insert(pandoc.Str(": " .. table.concat(places, "; "))) end
  if author.orcid then
    local id = stringify(author.orcid)
    line:extend({pandoc.Str(". ORCID "), pandoc.Link(id, "https://orcid.org/" .. id)})
  end
  if author.email then
    local email = stringify(author.email)
    line:extend({pandoc.Str(". "), pandoc.Link(email, "mailto:" .. email)})
  end
  if author.corresponding then line:insert(pandoc.Str(" (corresponding author)")) end
  return pandoc.Para(line)
end

-- The text itself may carry a "Keywords: ..." line (an imported draft keeps the author's): not twice.
local function has_keywords_line(blocks)
  for i = 1, math.min(#blocks, 40) do
    local block = blocks[i]
    if (block.t == "Para" or block.t == "Plain") and stringify(block):lower():match("^%W*key%s?words") then
      return true
    end
  end
  return false
end

function Pandoc(doc)
  local meta = doc.meta
  local authors = list(meta["by-author"])
  -- Quarto's author data is printed here or not at all; left in the metadata the DOCX writer would
  -- copy it into docProps/custom.xml.
  meta["by-author"], meta["by-affiliation"], meta.affiliations, meta.authors = nil, nil, nil, nil
  if #authors == 0 then
    doc.meta = meta
    return doc
  end
  local names = pandoc.List()
  local top = pandoc.List()
  for _, author in ipairs(authors) do
    names:insert(pandoc.MetaInlines(pandoc.Inlines(author.name.literal)))
    top:insert(styled("Affiliation", {author_line(author)}))
  end
  meta.author = names
  if meta.abstract then
    local title = meta["abstract-title"] and stringify(meta["abstract-title"]) or "Abstract"
    local abstract = meta.abstract
    local blocks = pandoc.utils.type(abstract) == "Blocks" and abstract or {pandoc.Plain(abstract)}
    top:insert(styled("Abstract Title", {pandoc.Para(pandoc.Str(title))}))
    top:insert(styled("Abstract", blocks))
    meta.abstract = nil
  end
  local keywords = pandoc.List()
  for _, k in ipairs(list(meta.keywords)) do keywords:insert(stringify(k)) end
  if #keywords > 0 and not has_keywords_line(doc.blocks) then
    top:insert(styled("Abstract", {pandoc.Para({pandoc.Emph("Keywords: "), pandoc.Str(table.concat(keywords, ", "))})}))
  end
  doc.blocks = top .. doc.blocks
  doc.meta = meta
  return doc
end
