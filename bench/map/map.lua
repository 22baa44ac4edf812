-- map: a hash map with 1M string keys by default ("k0", "k1", ...): insert all, then look every key up again.
-- Measures string building, string hashing, table growth and table lookups.

local function size_arg(fallback)
  local s = arg and arg[1]
  if s == nil then return fallback end
  local n = tonumber(s)
  if n == nil or n < 0 then error("size must not be negative: " .. s) end
  return math.floor(n)
end

local n = size_arg(1000000)
local m = {}
for i = 0, n - 1 do
  m["k" .. tostring(i)] = i
end
local sum = 0
for i = 0, n - 1 do
  sum = sum + m["k" .. tostring(i)]
end
print(string.format("%d", sum))
-- Lua tables do not keep their entry count: count the entries.
local size = 0
for _ in pairs(m) do
  size = size + 1
end
print(string.format("%d", size))
