--[[
Marks a document whose text already carries a "Keywords: ..." line near its start (an imported draft
keeps the author's own) with `keywords-in-text`, so the HTML title block does not print the keywords
a second time. The `keywords` metadata itself stays (the page's <meta name="keywords">).
]]

function Pandoc(doc)
  for i = 1, math.min(#doc.blocks, 40) do
    local block = doc.blocks[i]
    if (block.t == "Para" or block.t == "Plain")
        and pandoc.utils.stringify(block):lower():match("^%W*key%s?words") then
      doc.meta["keywords-in-text"] = true
      return doc
    end
  end
end
