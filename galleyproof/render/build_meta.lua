-- Runs after --citeproc: the bibliography and style paths have done their work. Left in the
-- metadata, the DOCX writer would copy them into docProps/custom.xml, leaking the build machine's
-- directories into the document (and into anonymised submissions) and making its bytes depend on them.
function Meta(meta)
  meta.bibliography = nil
  meta.csl = nil
  meta["link-citations"] = nil
  return meta
end
