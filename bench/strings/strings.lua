-- strings: 2M integers converted to strings, collected in an array and joined, by default.
-- Measures int-to-string conversion, small string allocation, array growth and join/find on a large string.

local function size_arg(fallback)
  local s = arg and arg[1]
  if s == nil then return fallback end
  local n = tonumber(s)
  if n == nil or n < 0 then error("size must not be negative: " .. s) end
  return math.floor(n)
end

local n = size_arg(2000000)
local parts = {}
for i = 0, n - 1 do
  parts[#parts + 1] = tostring((i * 7919) % 1000003)
end
local weighted = 0
for i = 0, n - 1 do
  weighted = weighted + #parts[i + 1] * (i % 10 + 1)
end
local s = table.concat(parts, ",")
local pos = string.find(s, "99999", 1, true)
if pos == nil then pos = -1 else pos = pos - 1 end
print(string.format("%d", #s))
print(string.format("%d", weighted))
print(string.format("%d", pos))
