--[[
Runs a Quarto extension's Lua filter under plain pandoc (the embedded engine).

Quarto gives its filters a `quarto` module; the few calls format extensions make most are provided
here (`quarto.doc.is_format`, `quarto.doc.include_text`, `quarto.log`). The filter, named by the
wrapper that loads this file, is loaded in the same global environment, so filters that
define global functions (Para, Div, ...) and filters that return a list both work. A filter that fails,
at load or on an element, is skipped with a warning rather than stopping the build: the document is
still built with the base format, as the build's own note says.
]]

local FILE = EXTENSION_FILTER  -- set by the one-line wrapper formats.py writes for each filter
local warned = false

local function warn(message)
  if not warned then
    pandoc.log.warn("extension filter " .. FILE .. " skipped: " .. tostring(message))
    warned = true
  end
end

local aliases = { pdf = { typst = true, latex = true }, html = { html = true, html5 = true } }

quarto = {
  doc = {
    is_format = function(name)
      return FORMAT == name or (aliases[name] or {})[FORMAT] == true
    end,
    include_text = function() end,
    add_html_dependency = function() end,
  },
  log = { warning = pandoc.log.warn, output = function() end },
}

local function guarded(fn)
  return function(...)
    local ok, result = pcall(fn, ...)
    if ok then return result end
    warn(result)
    return nil
  end
end

local function guard_filter(filter)
  local out = {}
  for key, value in pairs(filter) do
    out[key] = type(value) == "function" and guarded(value) or value
  end
  return out
end

local before = {}
for key in pairs(_G) do before[key] = true end

local ok, result = pcall(dofile, FILE)
if not ok then
  warn(result)
  return {}
end
if type(result) == "table" then
  if result[1] ~= nil then
    local filters = {}
    for i, filter in ipairs(result) do filters[i] = guard_filter(filter) end
    return filters
  end
  return { guard_filter(result) }
end
local globals = {}
for key, value in pairs(_G) do
  if not before[key] and type(value) == "function" then globals[key] = value end
end
return { guard_filter(globals) }
