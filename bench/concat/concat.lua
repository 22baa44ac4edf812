-- concat: naive string concatenation `s = s .. tostring(i)`, 50k times by default.
-- Measures repeated copying of a growing string (quadratic work) and freeing of the old copies.

local function size_arg(fallback)
  local s = arg and arg[1]
  if s == nil then return fallback end
  local n = tonumber(s)
  if n == nil or n < 0 then error("size must not be negative: " .. s) end
  return math.floor(n)
end

local n = size_arg(50000)
local s = ""
for i = 0, n - 1 do
  s = s .. tostring(i)
end
print(string.format("%d", #s))
